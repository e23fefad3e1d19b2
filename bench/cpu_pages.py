"""CPU time of one request of each bench page, beside the pre-rendered baseline of the same bytes, in process.

    python -m bench.cpu_pages [--scale 1] [--runs 20] [--only roadmap,territory]

On a shared machine the wall-clock figures of `make bench` follow the load of others; the CPU time of this process
(``time.process_time``: Python, templates, the database driver's side) does much less. The ratio printed is the
page's CPU time over the baseline's (the same bytes returned by ``/__bench__/baseline/…`` through the same
middleware, without session). The database and Redis servers' own CPU is not counted here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import harness
from bench.harness import ROOT


def child(runs: int, only: set[str]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.run import page_plan

    baseline_dir = Path(settings.VAR_DIR) / "bench"
    for page in page_plan():
        if only and page["key"] not in only:
            continue
        client = Client()
        if page["email"]:
            client.force_login(get_user_model().objects.get(email=page["email"]))
        content = client.get(page["path"], headers=page["headers"]).content
        key = f"cpu_{page['key']}"
        baseline_dir.mkdir(parents=True, exist_ok=True)
        (baseline_dir / f"{key}.html").write_bytes(content)
        anonymous = Client()
        anonymous.get(f"/__bench__/baseline/{key}/")
        timings = {}
        for name, target, path, headers in (
            ("page", client, page["path"], page["headers"]),
            ("baseline", anonymous, f"/__bench__/baseline/{key}/", {}),
        ):
            started = time.process_time()
            for _ in range(runs):
                target.get(path, headers=headers)
            timings[name] = (time.process_time() - started) / runs * 1000
        print(
            f"{page['name']:<70} {len(content) / 1000:7.1f} ko  CPU {timings['page']:6.1f} ms  "
            f"témoin {timings['baseline']:5.1f} ms  ×{timings['page'] / timings['baseline']:.1f}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = {key for key in args.only.split(",") if key}
    if args.child:
        child(args.runs, only)
        return
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")
    command = [sys.executable, "-m", "bench.cpu_pages", "--child", "--runs", str(args.runs), "--only", args.only]
    subprocess.run(command, cwd=ROOT, env=harness.environment(args.scale), check=True)
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")


if __name__ == "__main__":
    main()
