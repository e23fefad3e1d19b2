"""CPU time of each URL of `make soak`'s mix, in process: which pages the soak's time goes to.

    python -m bench.soak_cpu [--runs 10]

The soak's clients go round the mix (bench/soak.py: 46 URLs, 6 roles), each URL as often as the others: under a
saturated server, a URL's share of the CPU is its time over the sum of the mix. Printed heaviest first, with the
number of SQL queries, the size of the page and the cumulated share. Like bench/cpu_pages.py, ``time.process_time``
of this process (the database and Redis servers' own CPU is not counted), on the scale-1 bench database
(BENCH_DB_PREFIX, BENCH_REDIS_URL: see bench/harness.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench import harness
from bench.harness import ROOT


def child(runs: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from bench.soak import soak_plan

    clients: dict[str | None, Client] = {}
    rows = []
    for role, path, email in soak_plan():
        if email not in clients:
            client = clients[email] = Client()
            if email:
                client.force_login(get_user_model().objects.get(email=email))
        client = clients[email]
        response = client.get(path)  # warm: caches, templates
        queries = []  # counted below the ORM (the test client's request_started resets Django's query log)

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            client.get(path)
        started = time.process_time()
        for _ in range(runs):
            client.get(path)
        cpu = (time.process_time() - started) / runs * 1000
        rows.append((cpu, role, path, response.status_code, len(queries), len(response.content)))
    total = sum(row[0] for row in rows)
    cumulated = 0.0
    print(f"{'CPU ms':>7} {'part':>5} {'cumul':>5}  SQL  {'ko':>6}  statut  rôle — URL")
    for cpu, role, path, status, queries, size in sorted(rows, reverse=True):
        cumulated += cpu
        print(
            f"{cpu:7.1f} {cpu / total:5.0%} {cumulated / total:5.0%} {queries:4d} {size / 1000:7.1f}  {status}     "
            f"{role} — {path}"
        )
    print(f"Moyenne du mélange : {total / len(rows):.1f} ms de CPU par requête ({len(rows)} URL)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")
    command = [sys.executable, "-m", "bench.soak_cpu", "--child", "--runs", str(args.runs)]
    subprocess.run(command, cwd=ROOT, env=harness.environment(1), check=True)
    print(f"Charge de la machine : {[round(x, 2) for x in os.getloadavg()]}")


if __name__ == "__main__":
    main()
