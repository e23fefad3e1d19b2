"""Where the time of a page goes: cProfile over a few requests of the bench pages, through the test client.

    python -m bench.profile_pages [--scale 1] [--runs 10] [--only roadmap,territory] [--top 25]

Runs against the bench database of ``--scale`` (made by ``python -m bench.generate``; see bench/harness.py for
BENCH_DB_PREFIX / BENCH_REDIS_URL), with the caches warm (one request first, as in `make bench`). For each page it
prints the CPU time per request split into template rendering, SQL (time spent in the database driver) and the
rest, then the functions with the largest cumulative time. What was found is written in bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time

from bench import harness
from bench.harness import ROOT


def _cumulative(stats: pstats.Stats, *needles: str) -> float:
    """Cumulative time of the functions whose 'file:function' ends with one of ``needles`` (outermost calls)."""
    return sum(
        ct
        for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
        if f"{filename}:{function}".endswith(needles)
    )


def child(runs: int, only: set[str], top: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.run import page_plan

    for page in page_plan():
        if only and page["key"] not in only:
            continue
        client = Client()
        if page["email"]:
            client.force_login(get_user_model().objects.get(email=page["email"]))
        client.get(page["path"], headers=page["headers"])  # warm: caches, templates, perimeter
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(runs):
            response = client.get(page["path"], headers=page["headers"])  # HTMX fragments as browsers ask
        profiler.disable()
        wall = (time.perf_counter() - started) / runs * 1000
        stats = pstats.Stats(profiler)
        total = stats.total_tt / runs * 1000
        # The page's template (TemplateResponse) and the fragments rendered by views (render_to_string), SQL as
        # seen by Django's cursor wrapper.
        templates = _cumulative(stats, "django/template/response.py:rendered_content", "loader.py:render_to_string")
        templates = templates / runs * 1000
        sql = _cumulative(stats, "django/db/backends/utils.py:_execute") / runs * 1000
        print(
            f"\n=== {page['name']} ({page['path']}, {len(response.content) // 1024} KiB, statut "
            f"{response.status_code}): {wall:.1f} ms par requête (profilée : {total:.1f} ms) — gabarits "
            f"{templates:.1f} ms, SQL {sql:.1f} ms, reste {total - templates - sql:.1f} ms"
        )
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(top + 3) * 200 :])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = {key for key in args.only.split(",") if key}
    if args.child:
        child(args.runs, only, args.top)
        return
    if not harness.database_exists(harness.database_name(args.scale)):
        sys.exit(f"Base {harness.database_name(args.scale)} absente : python -m bench.generate --scale {args.scale}")
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")
    command = [sys.executable, "-m", "bench.profile_pages", "--child", "--runs", str(args.runs), "--top",
               str(args.top), "--only", args.only]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=harness.environment(args.scale), check=True)
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")


if __name__ == "__main__":
    main()
