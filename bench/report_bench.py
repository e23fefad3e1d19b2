"""Benchmark (not a test) of the progress reports: a territory report against WeasyPrint alone on the same
pre-rendered HTML, and the regional bundle with a real Celery worker (2 processes) on Redis and PostgreSQL.

    python bench/report_bench.py [--territories 6] [--skip-setup] [--skip-bundle]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/srefop_bench_reports)
loaded with the demonstration data (18 roadmaps), and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/8).
Targets (issue 6): ≤ 2 s per territory report, ≤ 40 s for the bundle with 2 workers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/srefop_bench_reports")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/srefop-bench-reports"))


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.dev",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SREFOP_VAR_DIR": str(VAR_DIR),
        "MEDIA_ROOT": str(VAR_DIR / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def setup_database(fixture: str = "") -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    # --fixture: a dumpdata of a demonstration database (when load_demo_data cannot run on PostgreSQL).
    load = ["loaddata", fixture] if fixture else ["load_demo_data"]
    for command in (["migrate", "--noinput", "-v0"], load):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=environment(), check=True)


def best(function, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def measure_territories(count: int) -> dict:
    from django.template.loader import render_to_string
    from django.utils import timezone

    from clefop.models import Body
    from roadmaps.reports import render
    from roadmaps.reports.data import collect
    from srefop_portal.common.pdf import font_dir, html_to_pdf, pdf_info
    from territories.maps import territory_map_svg

    rows = []
    bodies = list(Body.objects.clefops().select_related("territory").order_by("territory__code"))[:count]
    for body in bodies:
        data = collect(body)
        full = best(lambda body=body: render.render_territory_report(collect(body), None))
        context = {
            "data": data,
            "changes": None,
            "chart": render.status_chart(data),
            "map_svg": territory_map_svg(body.territory),
            "demo_label": render.DEMO_LABEL,
            "generated_at": timezone.localtime(),
            "progress_css": render.progress_css(a["progress"] for a in data["actions"]),
            "pdf_title": render.report_title(data),
            "pdf_author": render.AUTHOR,
            "font_dir": font_dir(),
        }
        html = render_to_string("pdf/roadmap_report.html", context)
        alone = best(lambda html=html: html_to_pdf(html))
        pages = int(pdf_info(html_to_pdf(html))["Pages"])
        rows.append(
            {
                "territory": body.territory.code,
                "actions": len(data["actions"]),
                "report_s": round(full, 3),
                "weasyprint_alone_s": round(alone, 3),
                "ratio": round(full / alone, 2),
                "pdf_pages": pages,
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return {
        "territories": rows,
        "report_median_s": round(statistics.median(r["report_s"] for r in rows), 3),
        "report_max_s": max(r["report_s"] for r in rows),
        "ratio_median": round(statistics.median(r["ratio"] for r in rows), 2),
    }


def measure_bundle() -> dict:
    from django.contrib.auth import get_user_model

    from roadmaps.reports import BUNDLE_KIND, TERRITORY_KIND
    from roadmaps.reports.service import request_regional_bundle
    from srefop_portal.common.models import Job

    Job.objects.filter(kind__in=[BUNDLE_KIND, TERRITORY_KIND]).delete()  # no reuse: everything is rendered
    pidfile = VAR_DIR / "bench-celery.pid"
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "srefop_portal", "worker", "-P", "prefork", "--concurrency=2",
            "--loglevel=WARNING", "--pidfile", str(pidfile),
        ],
        cwd=ROOT, env=environment(), start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(6)  # worker start-up (imports, WeasyPrint fonts) is not part of the bundle time
        user = get_user_model().objects.filter(is_cariforef_staff=True).first()
        start = time.perf_counter()
        job = request_regional_bundle(user=user)
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            if time.perf_counter() - start > 600:
                raise RuntimeError("le recueil n'est pas terminé après 10 minutes")
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        return {
            "bundle_s": round(elapsed, 2),
            "status": job.status,
            "parts": job.parts_total,
            "zip_bytes": job.file.size if job.has_file else 0,
            "error": job.error[:300],
        }
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--territories", type=int, default=6)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--skip-bundle", action="store_true")
    parser.add_argument("--fixture", default="", help="dumpdata of a demonstration database, instead of load_demo_data")
    args = parser.parse_args()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        setup_database(args.fixture)
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    results = {"load_average_at_start": os.getloadavg(), "cpus": os.cpu_count()}
    results |= measure_territories(args.territories)
    if not args.skip_bundle:
        results |= measure_bundle()
    results["load_average_at_end"] = os.getloadavg()
    results["targets"] = {"report_s": 2.0, "bundle_s": 40.0}
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = VAR_DIR / "report_bench.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"Résultats : {out}")


if __name__ == "__main__":
    main()
