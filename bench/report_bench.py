"""Benchmark (not a test) of the progress reports (issue 6; issue 8 asks for the ratio to WeasyPrint alone).

    python -m bench.report_bench [--scale 1] [--territories 18] [--skip-setup] [--skip-bundle]

or, from another script (bench/run.py chains every bench into one table)::

    from bench.report_bench import run
    results = run(scale=1)            # dict, also written to bench/results/reports.json

``run`` works in a child process (its own Django settings and database), so it can be called from a process that
already set Django up for another database.

What it does:
- builds its own PostgreSQL database (BENCH_REPORTS_DATABASE_URL, default
  postgres://postgres@127.0.0.1:5432/srefop_bench_reports) with the reference and demonstration data, then tops every
  current roadmap up to ``50 × scale`` actions (the size of a real roadmap: scale 1 = the real region), each with a
  result indicator, a point de suivi, a pilot and, one action in three, a préconisation. With ``setup=False``
  (``--skip-setup``) the database named by BENCH_REPORTS_DATABASE_URL is measured as it is (e.g. the one
  bench/generate.py built for bench/run.py);
- for each of the 18 territories: the report as the job builds it (data collection, HTML, PDF) beside WeasyPrint
  alone on the same pre-rendered HTML, their ratio, the number of SQL queries of the data collection, the pages;
- the regional bundle (18 reports + the regional synthesis) with a real Celery worker of 2 processes on Redis
  (BENCH_REPORTS_REDIS_URL, default redis://127.0.0.1:6379/8), worker start-up excluded, from the request to the
  finished ZIP; the machine load (os.getloadavg, as `uptime` shows it) is sampled during the run;
- writes bench/results/reports.json.

Targets (issue 6): ≤ 2 s per territory report; ≤ 40 s for the regional bundle with 2 workers.
Timings depend on the machine's load: read them with the load averages recorded beside them. They also depend on
WeasyPrint's font subsetter, recorded as ``machine.font_subsetter``: without Debian's libharfbuzz-subset0 it falls
back to fontTools (1.0 s instead of 0.66 s for the largest report, measured here; ``manage.py check`` warns,
srefop.W001). The CPU model is recorded too: the previous machine gave 2.3 s for the same report.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reports.json"
DB_URL = os.environ.get("BENCH_REPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/srefop_bench_reports")
REDIS_URL = os.environ.get("BENCH_REPORTS_REDIS_URL", "redis://127.0.0.1:6379/8")
VAR_DIR = Path(os.environ.get("BENCH_REPORTS_VAR_DIR", "/tmp/srefop-bench-reports"))
ACTIONS_PER_ROADMAP = 50
TARGETS = {"territory_report_s": 2.0, "regional_bundle_s": 40.0}


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.dev",
        "DJANGO_DEBUG": "0",
        "SREFOP_DEMO_MODE": "1",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "srefop-bench-reports",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SREFOP_VAR_DIR": str(VAR_DIR),
        "MEDIA_ROOT": str(VAR_DIR / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


# --------------------------------------------------------------------------------------------------------------------
# Data


def setup_database() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    for command in (["migrate", "--noinput", "-v0"], ["load_demo_data", "--force", "--quiet-accounts"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment(),
            check=True,
            stdout=subprocess.DEVNULL,
        )


TITLES = [
    "Organiser des visites d'entreprises pour les demandeurs d'emploi",
    "Former les conseillers à la connaissance des métiers en tension",
    "Créer un parcours de remobilisation vers la formation",
    "Déployer des ateliers numériques dans les tiers-lieux",
    "Accompagner les employeurs dans la rédaction des offres",
    "Mettre en place une permanence emploi-formation dans les quartiers prioritaires de la politique de la ville",
    "Développer l'apprentissage dans les TPE",
    "Coordonner les forums de l'emploi saisonnier",
]
NOTES = [
    "Point de suivi trimestriel.",
    "Deux sessions tenues ; 35 personnes accompagnées, dont 12 sorties vers l'emploi.",
    "Le financement est confirmé par l'OPCO ; le calendrier est décalé au second semestre faute de formateur "
    "disponible, le comité de pilotage a validé le report.",
]


def top_up_roadmaps(actions_per_roadmap: int) -> int:
    """Give every current (non-archived) roadmap ``actions_per_roadmap`` actions (bulk writes, labelled demo)."""
    import datetime
    import random

    from django.db import transaction

    from roadmaps.models import (
        Action,
        ActionStatus,
        ProgressNote,
        Recommendation,
        ResultIndicator,
        Roadmap,
        RoadmapStatus,
    )

    rng = random.Random(6)  # noqa: S311 (benchmark data)
    statuses = [s for s, _label in ActionStatus.choices]
    recommendations = list(Recommendation.objects.order_by("code")[:30])
    created = 0
    with transaction.atomic():
        for roadmap in Roadmap.objects.exclude(status=RoadmapStatus.ARCHIVED).prefetch_related(
            "priorities", "body__memberships__user", "body__memberships__organisation"
        ):
            priorities = list(roadmap.priorities.all())
            missing = actions_per_roadmap - roadmap.actions.count()
            if missing <= 0 or not priorities:
                continue
            memberships = [m for m in roadmap.body.memberships.all() if m.organisation_id]
            new = []
            for i in range(missing):
                status = rng.choice(statuses)
                start = datetime.date(2024, 1 + i % 12, 1)
                membership = memberships[i % len(memberships)] if memberships else None
                new.append(
                    Action(
                        roadmap=roadmap,
                        priority=priorities[i % len(priorities)],
                        order=100 + i,
                        title=f"{TITLES[i % len(TITLES)]} ({i + 1})",
                        description="Action ajoutée pour la mesure de performance (démonstration).",
                        status=status,
                        progress={ActionStatus.DONE: 100, ActionStatus.PLANNED: 0}.get(status, rng.randint(5, 95)),
                        start_date=start,
                        end_date=start + datetime.timedelta(days=rng.choice([240, 400, 700, 900])),
                        pilot_organisation=membership.organisation if membership else None,
                        restricted=i % 11 == 10,
                        is_demo=True,
                    )
                )
            Action.objects.bulk_create(new)
            ResultIndicator.objects.bulk_create(
                ResultIndicator(
                    action=a, label="Personnes accompagnées", unit="personnes", target=50, achieved=rng.randint(0, 80)
                )
                for a in new
            )
            ProgressNote.objects.bulk_create(
                ProgressNote(
                    action=a,
                    status=a.status,
                    progress=a.progress,
                    comment=NOTES[i % len(NOTES)],
                    date=datetime.date(2025, 1 + i % 12, 15),
                )
                for i, a in enumerate(new)
            )
            through = Action.pilots.through
            through.objects.bulk_create(
                through(action_id=a.pk, user_id=memberships[i % len(memberships)].user_id)
                for i, a in enumerate(new)
                if memberships
            )
            links = Action.recommendations.through
            links.objects.bulk_create(
                links(action_id=a.pk, recommendation_id=recommendations[i % len(recommendations)].pk)
                for i, a in enumerate(new)
                if recommendations and i % 3 == 0
            )
            created += len(new)
    return created


# --------------------------------------------------------------------------------------------------------------------
# Measures


class LoadSampler:
    """Samples the load averages (what `uptime` prints) every few seconds while a measure runs."""

    def __init__(self, every: float = 2.0):
        self.every, self.samples, self._stop = every, [], threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        values = self.samples or [os.getloadavg()[0]]
        return {"load1_min": min(values), "load1_max": max(values), "load1_mean": round(statistics.mean(values), 2)}


def measure_territories(count: int, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clefop.models import Body
    from roadmaps.reports import render
    from roadmaps.reports.data import collect
    from srefop_portal.common import pdf

    def best(function) -> tuple[float, float, object]:
        """(best wall time, CPU time of that run, result) over ``runs`` runs."""
        times, result = [], None
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            result = function()
            times.append((time.perf_counter() - start, time.process_time() - cpu))
        wall, cpu = min(times)
        return wall, cpu, result

    rows = []
    bodies = list(Body.objects.clefops().select_related("territory").order_by("territory__code"))[:count]
    render.warm_up()  # what a worker process does once: parse the style sheets, load the fonts
    render.render_territory_report(collect(bodies[0]), None)  # and the map caches
    for body in bodies:
        with CaptureQueriesContext(connection) as queries:
            data = collect(body)
        # The report as the job builds it: data collection, HTML, PDF.
        full, full_cpu, content = best(lambda body=body: render.render_territory_report(collect(body), None))
        # WeasyPrint alone on the same pre-rendered HTML (same style sheets and fonts).
        html = render.territory_report_html(data, None)
        alone, alone_cpu, _ = best(lambda html=html: pdf.html_to_pdf(html, stylesheets=[render.REPORT_STYLESHEET]))
        rows.append(
            {
                "territory": body.territory.code,
                "actions": len(data["actions"]),
                "sql_queries": len(queries),
                "pages": int(pdf.pdf_info(content)["Pages"]),
                "pdf_bytes": len(content),
                "report_s": round(full, 3),
                "report_cpu_s": round(full_cpu, 3),
                "weasyprint_alone_s": round(alone, 3),
                "weasyprint_alone_cpu_s": round(alone_cpu, 3),
                "ratio": round(full / alone, 2),
                "ratio_cpu": round(full_cpu / alone_cpu, 2),
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return {
        "territories": rows,
        "report_median_s": round(statistics.median(r["report_s"] for r in rows), 3),
        "report_max_s": max(r["report_s"] for r in rows),
        "weasyprint_alone_median_s": round(statistics.median(r["weasyprint_alone_s"] for r in rows), 3),
        "ratio_median": round(statistics.median(r["ratio"] for r in rows), 2),
        "report_cpu_median_s": round(statistics.median(r["report_cpu_s"] for r in rows), 3),
        "report_cpu_max_s": max(r["report_cpu_s"] for r in rows),
        "ratio_cpu_median": round(statistics.median(r["ratio_cpu"] for r in rows), 2),
        "pages_max": max(r["pages"] for r in rows),
        "sql_queries_max": max(r["sql_queries"] for r in rows),
        "runs_per_report": runs,
    }


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and its descendants (read from /proc; Linux)."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def _wait_for_workers(app, expected: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= expected:
            return
    raise RuntimeError("le worker Celery n’a pas répondu")


def _wait(job, start: float, limit: float = 900):
    while not job.is_finished:
        if time.perf_counter() - start > limit:
            raise RuntimeError("le recueil n’est pas terminé à temps")
        time.sleep(0.2)
        job.refresh_from_db()
    return job


def _change_one_action() -> str:
    """A point de suivi on one action of the first territory (its report's data change)."""
    from roadmaps import services
    from roadmaps.models import Action, ActionStatus, RoadmapStatus

    action = (
        Action.objects.filter(roadmap__status=RoadmapStatus.ADOPTED, restricted=False)
        .exclude(status=ActionStatus.DONE)
        .select_related("roadmap__body__territory")
        .order_by("roadmap__body__territory__code", "pk")
        .first()
    )
    progress = min(99, action.progress + 1)
    services.update_action_status(
        action=action, status=ActionStatus.IN_PROGRESS, progress=progress, user=None, comment="Mesure"
    )
    return action.roadmap.body.territory.code


def measure_bundle(workers: int) -> dict:
    from django.contrib.auth import get_user_model

    from roadmaps.reports import BUNDLE_KIND, TERRITORY_KIND
    from roadmaps.reports.service import request_regional_bundle
    from srefop_portal.celery import app
    from srefop_portal.common.models import Job

    Job.objects.filter(kind__in=[BUNDLE_KIND, TERRITORY_KIND]).delete()  # nothing to reuse: every part is rendered
    queue = f"bench-reports-{os.getpid()}"
    app.conf.task_default_queue = queue
    command = [
        sys.executable, "-m", "celery", "-A", "srefop_portal", "worker", "-P", "prefork",
        f"--concurrency={workers}", "-Q", queue, "-n", f"bench-reports-{os.getpid()}@%h", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=environment())
    try:
        _wait_for_workers(app, 1)
        time.sleep(2)  # the pool processes finish importing: start-up is not part of the bundle time
        user = get_user_model().objects.filter(is_cariforef_staff=True).first()
        with LoadSampler() as load:
            cpu_before = tree_cpu_seconds(worker.pid)
            start = time.perf_counter()
            job = request_regional_bundle(user=user)
            request_s = time.perf_counter() - start
            job = _wait(job, start)
            elapsed = time.perf_counter() - start
            worker_cpu = tree_cpu_seconds(worker.pid) - cpu_before
        # The same request again, data unchanged: the finished bundle is served again, nothing rendered.
        start = time.perf_counter()
        again = _wait(request_regional_bundle(user=user), start)
        reuse = time.perf_counter() - start
        # One territory's data change: only its report (and the synthesis) is rendered again.
        try:
            changed = _change_one_action()
            start = time.perf_counter()
            second = _wait(request_regional_bundle(user=user), start)
            one_change = {
                "bundle_after_one_change_s": round(time.perf_counter() - start, 2),
                "bundle_after_one_change_status": second.status,
                "bundle_after_one_change_reused_parts": (second.result or {}).get("reused_parts"),
                "bundle_changed_territory": changed,
            }
        except Exception as exc:  # the main figure is kept; say why this one is missing
            one_change = {"bundle_after_one_change_error": repr(exc)[:300]}
        parts = (job.result or {}).get("timings", {})
        return {
            "bundle_s": round(elapsed, 2),
            "bundle_request_s": round(request_s, 2),
            "bundle_worker_cpu_s": round(worker_cpu, 1),
            # What the bundle would take with `workers` cores free for it: the workers' CPU time spread over them
            # (a lower bound, the parts being of unequal size; on a busy machine the CPU time itself grows, as the
            # cores' caches and hyper-threads are shared).
            "bundle_idle_estimate_s": round(request_s + worker_cpu / workers, 1),
            "bundle_workers": workers,
            "bundle_status": job.status,
            "bundle_parts": job.parts_total,
            "bundle_parts_done": job.parts_done,
            "bundle_zip_bytes": job.file.size if job.has_file else 0,
            "bundle_error": job.error[:300],
            "bundle_part_s_max": max(parts.values()) if parts else None,
            "bundle_reused_parts": (job.result or {}).get("reused_parts"),
            "bundle_unchanged_served_again": (again.result or {}).get("same_as") == job.pk,
            "bundle_unchanged_s": round(reuse, 2),
            **one_change,
            "bundle_load": load.summary(),
        }
    finally:
        os.kill(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(worker.pid, signal.SIGKILL)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor()


def measure(*, scale: float, territories: int, runs: int, setup: bool, bundle: bool, workers: int) -> dict:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
            "date": time.strftime("%F %T"),
        },
        "scale": scale,
        "load_at_start": os.getloadavg(),
        "targets": TARGETS,
    }
    if setup:
        setup_database()
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from srefop_portal.common.checks import pdf_font_subsetter

    # HarfBuzz's subsetter (libharfbuzz-subset0) or fontTools' (about 4 times slower): it decides the timings.
    results["machine"]["font_subsetter"] = pdf_font_subsetter()
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # On its own database only: a database prepared by someone else (bench/generate.py) is measured as it is.
    results["actions_added"] = top_up_roadmaps(round(ACTIONS_PER_ROADMAP * scale)) if setup else 0
    if territories:
        with LoadSampler() as load:
            results |= measure_territories(territories, runs)
        results["territories_load"] = load.summary()
    if bundle:
        results |= measure_bundle(workers)
    results["load_at_end"] = os.getloadavg()
    results["meets_targets"] = {
        **({"territory_report": results["report_max_s"] <= TARGETS["territory_report_s"]} if territories else {}),
        **({"regional_bundle": results["bundle_s"] <= TARGETS["regional_bundle_s"]} if bundle else {}),
    }
    return results


def run(
    scale: float = 1,
    *,
    territories: int = 18,
    runs: int = 2,
    setup: bool = True,
    bundle: bool = True,
    workers: int = 2,
    write: bool = True,
) -> dict:
    """Entry point for bench/run.py: measures in a child process, returns the results (and writes reports.json)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable, "-m", "bench.report_bench", "--scale", str(scale), "--territories", str(territories),
            "--runs", str(runs), "--workers", str(workers), "--out", out.name,
        ]  # fmt: skip
        command += [] if setup else ["--skip-setup"]
        command += [] if bundle else ["--skip-bundle"]
        command += [] if write else ["--no-write"]
        subprocess.run(command, cwd=ROOT, check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--territories", type=int, default=18)
    parser.add_argument("--runs", type=int, default=2, help="runs per report (the best is kept)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--skip-bundle", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/reports.json")
    parser.add_argument("--out", default="", help="also write the results to this file")
    args = parser.parse_args()
    results = measure(
        scale=args.scale,
        territories=args.territories,
        runs=args.runs,
        setup=not args.skip_setup,
        bundle=not args.skip_bundle,
        workers=args.workers,
    )
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n", encoding="utf-8")
        print(f"Résultats : {RESULTS}")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
