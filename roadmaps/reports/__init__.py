"""Territory progress reports (PDF) and the regional bundle, built in the background by the shared job runner.

- ``data.collect(body)``: everything a territory report shows, as plain data (a bounded number of queries);
  its hash is the job's fingerprint, so an unchanged request is served at once;
- ``render``: the print templates (templates/pdf/roadmap_report.html, roadmap_synthesis.html) through WeasyPrint;
- ``bundle``: the regional bundle, one Celery task per territory (``roadmaps.tasks.build_bundle_part``), the
  progress counting finished parts, then a merge step (a ZIP of tagged PDFs);
- ``service``: starting the jobs (``request_territory_report``, ``request_regional_bundle``) and who may see them.
"""

TERRITORY_KIND = "roadmaps.territory_report"
BUNDLE_KIND = "roadmaps.regional_bundle"
