"""Territory progress reports (PDF) and the regional bundle, built in the background by the shared job runner.

- ``data.collect(body)``: everything a territory report shows, as plain data (a bounded number of queries);
  its hash is the job's fingerprint, so an unchanged request is served at once;
- ``render``: the print templates (templates/pdf/roadmap_report.html, roadmap_synthesis.html, with their style
  sheets pdf/*.css parsed once per process) through WeasyPrint (srefop_portal.common.pdf);
- ``bundle``: the regional bundle, one Celery task per territory (``roadmaps.tasks.build_bundle_part``), each part
  kept as a finished territory report (reused when its data did not change), the progress counting finished parts,
  then a merge step (a ZIP of tagged PDFs);
- ``service``: starting the jobs (``request_territory_report``, ``request_regional_bundle``), who may see them, the
  monthly e-mail to the co-chairs (a link to the report, ``SREFOP_MONTHLY_REPORTS``, off by default).

Speed is measured by bench/report_bench.py (issue 6: ≤ 2 s per territory report, ≤ 40 s for the bundle with 2
workers), never asserted in a test.
"""

TERRITORY_KIND = "roadmaps.territory_report"
BUNDLE_KIND = "roadmaps.regional_bundle"
