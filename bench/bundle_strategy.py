"""Benchmark (not a test): the regional bundle fanned out (one Celery task per part, today's way) against one job
building the 18 reports and the synthesis in sequence, both on a real Celery worker of 2 processes (issue 17).

    python -m bench.bundle_strategy [--skip-setup] [--rounds 2]

Same database and worker set-up as bench/report_bench.py (BENCH_REPORTS_DATABASE_URL, BENCH_REPORTS_REDIS_URL): the
reference and demonstration data, every current roadmap topped up to 50 actions. Before each build, the finished
bundles and territory reports are deleted, so that every part is rendered. The two ways alternate (fan-out,
sequence, fan-out, sequence...) so that a change of the machine's load hits both; the load averages are sampled
during each build and recorded beside its time. Writes bench/results/bundle_strategy.json.

- fan-out: ``request_regional_bundle`` (task ``start_regional_bundle``, then one ``build_bundle_part`` per part, the
  last one queuing the merge);
- sequence: the same job started through the shared job runner (``jobs.enqueue``: one ``run_job`` task), whose
  handler ``merge`` produces every missing part inline, one after the other, then zips them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from bench.report_bench import (
    ACTIONS_PER_ROADMAP,
    ROOT,
    LoadSampler,
    _wait,
    _wait_for_workers,
    cpu_model,
    environment,
    setup_database,
    top_up_roadmaps,
    tree_cpu_seconds,
)

RESULTS = ROOT / "bench" / "results" / "bundle_strategy.json"


def _clear_reports() -> None:
    from roadmaps.reports import BUNDLE_KIND, TERRITORY_KIND
    from srefop_portal.common.models import Job

    Job.objects.filter(kind__in=[BUNDLE_KIND, TERRITORY_KIND]).delete()


def _fan_out(user):
    from roadmaps.reports.service import request_regional_bundle

    return request_regional_bundle(user=user)


def _sequence(user):
    from django.db import transaction

    from roadmaps.reports import BUNDLE_KIND
    from roadmaps.reports.bundle import bundle_bodies
    from srefop_portal.common.jobs import enqueue
    from srefop_portal.common.models import Job

    with transaction.atomic():
        job = Job.objects.create(
            kind=BUNDLE_KIND, params={"bodies": [body.pk for body in bundle_bodies()]}, requester=user
        )
        enqueue(job)
    return job


def measure(*, rounds: int, workers: int) -> dict:
    from django.contrib.auth import get_user_model

    from srefop_portal.celery import app

    queue = f"bench-bundle-strategy-{os.getpid()}"
    app.conf.task_default_queue = queue
    command = [
        sys.executable, "-m", "celery", "-A", "srefop_portal", "worker", "-P", "prefork",
        f"--concurrency={workers}", "-Q", queue, "-n", f"{queue}@%h", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=environment())
    runs = []
    try:
        _wait_for_workers(app, 1)
        time.sleep(2)
        user = get_user_model().objects.filter(is_cariforef_staff=True).first()
        for round_number in range(1, rounds + 1):
            for way, start_bundle in (("fan_out", _fan_out), ("sequence", _sequence)):
                _clear_reports()
                with LoadSampler(every=1.0) as load:
                    cpu_before = tree_cpu_seconds(worker.pid)
                    start = time.perf_counter()
                    job = _wait(start_bundle(user), start)
                    elapsed = time.perf_counter() - start
                    cpu = tree_cpu_seconds(worker.pid) - cpu_before
                runs.append(
                    {
                        "way": way,
                        "round": round_number,
                        "seconds": round(elapsed, 2),
                        "worker_cpu_s": round(cpu, 1),
                        "status": job.status,
                        "reports": (job.result or {}).get("reports"),
                        "error": job.error[:300],
                        "load": load.summary(),
                    }
                )
                print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    finally:
        os.kill(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(worker.pid, signal.SIGKILL)
    summary = {}
    for way in ("fan_out", "sequence"):
        times = [run["seconds"] for run in runs if run["way"] == way and run["status"] == "done"]
        summary[way] = {"best_s": min(times) if times else None, "all_s": times}
    fan, seq = summary["fan_out"]["best_s"], summary["sequence"]["best_s"]
    summary["fan_out_speed_up"] = round(seq / fan, 2) if fan and seq else None
    return {"runs": runs, "summary": summary}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "date": time.strftime("%F %T")},
        "load_at_start": os.getloadavg(),
    }
    if not args.skip_setup:
        setup_database()
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from srefop_portal.common.checks import pdf_font_subsetter

    results["machine"]["font_subsetter"] = pdf_font_subsetter()
    results["actions_added"] = 0 if args.skip_setup else top_up_roadmaps(ACTIONS_PER_ROADMAP)
    results |= measure(rounds=args.rounds, workers=args.workers)
    results["load_at_end"] = os.getloadavg()
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
