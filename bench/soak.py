"""`make soak`: 50 concurrent clients for 5 minutes on loopback; any server error fails the run.

    python -m bench.soak [--clients 50] [--seconds 300] [--skip-setup]

Uses the database prepared by bench.run (BENCH_DATABASE_URL); bounded in time, loopback only.
"""

from __future__ import annotations

import argparse
import sys

from bench.harness import gunicorn, load
from bench.run import django_setup, environment, pages_to_measure, setup_database


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args()
    if not args.skip_setup:
        setup_database()
    django_setup()
    paths = [page["path"] for page in pages_to_measure() if page["email"] is None]
    with gunicorn(environment(), workers=4) as (_url, port):
        result = load(port, paths, clients=args.clients, seconds=min(args.seconds, 900))
    summary = result.summary()
    print(
        f"Charge soutenue : {summary['requests']} requêtes en {result.seconds:.0f} s, p95 {summary['p95_ms']} ms, "
        f"statuts {summary['statuses']}, erreurs serveur {summary['server_errors']}"
    )
    sys.exit(1 if result.server_errors else 0)


if __name__ == "__main__":
    main()
