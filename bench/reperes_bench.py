"""Repères benchmark (not a test): full rebuild of the aggregation, and the build of the sheets, on the data of
bench/generate.py (scale 1: 1,228 communes × 30 indicators × 10 periods, the real region).

    python -m bench.reperes_bench [--scale 1] [--runs 3] [--reuse]

or, from another script (bench/run.py chains every bench into one table)::

    from bench.reperes_bench import run
    results = run(scale=1, runs=3)

``run`` works in a child process with the environment of the bench database ``srefop_bench_s<scale>`` (generated
first unless it already holds this generator's data). Times ``reperes.aggregation.rebuild()`` (every indicator,
every level: best and median of ``runs``) and ``reperes.sheets.build_sheets()`` (every territory, both audiences).
Target (issue 5): full rebuild ≤ 10 s on PostgreSQL at scale 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_REBUILD_SECONDS = 10


def measure(runs: int, sheets: bool) -> dict:
    from django.db import connection

    from reperes import aggregation
    from reperes.models import Indicator, Level, Observation
    from reperes.sheets import build_sheets
    from territories.models import Commune, Territory

    load_start = os.getloadavg()
    timings, written = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        summary = aggregation.rebuild()
        timings.append(time.perf_counter() - started)
        written = summary["written"]
    result = {
        "database": connection.vendor,
        "communes": Commune.objects.count(),
        "indicators": Indicator.objects.count(),
        "periods": Observation.objects.filter(level=Level.COMMUNE).values("period").distinct().count(),
        "commune_values": Observation.objects.filter(level=Level.COMMUNE).count(),
        "values_written_per_rebuild": written,
        "runs": runs,
        "rebuild_s_best": round(min(timings), 2),
        "rebuild_s_median": round(statistics.median(timings), 2),
        "rebuild_s_all": [round(t, 2) for t in timings],
        "target_rebuild_s": TARGET_REBUILD_SECONDS,
        "load_average_start": [round(x, 2) for x in load_start],
    }
    if sheets:
        started = time.perf_counter()
        built = build_sheets()
        seconds = time.perf_counter() - started
        result |= {
            "sheets_built": built["count"],
            "sheets_s": round(seconds, 2),
            "sheet_s_mean": round(seconds / max(built["count"], 1), 3),
            "territories": Territory.objects.count(),
        }
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def run(scale: int = 1, *, runs: int = 3, sheets: bool = True, reuse: bool = True) -> dict:
    """Entry point for bench/run.py: prepares the database if needed, measures in a child process."""
    from bench import harness
    from bench.generate import prepare

    prepare(scale, reuse=reuse, base=False)  # the base database is made if missing
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.reperes_bench", "--child", "--runs", str(runs), "--out", out.name]
        command += [] if sheets else ["--no-sheets"]
        subprocess.run(command, cwd=ROOT, env=harness.environment(scale), check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8")) | {"scale": scale}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sheets", action="store_true", help="do not time the build of the sheets")
    parser.add_argument("--fresh", action="store_true", help="regenerate the database even if it is up to date")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        result = run(args.scale, runs=args.runs, sheets=not args.no_sheets, reuse=not args.fresh)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    result = measure(args.runs, not args.no_sheets)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
