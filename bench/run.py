"""`make bench`: page latencies and SQL query counts at scale, beside a pre-rendered baseline.

    python -m bench.run [--clients 20] [--requests 300] [--skip-setup]

Builds a PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/srefop_bench_pages)
with the reference data and the demonstration data (18 territories, their Clefop, roadmaps, repères, veille),
serves it with gunicorn on 127.0.0.1, and for each key page measures p50/p95 under concurrent clients, the ratio
to a view returning the same bytes pre-rendered, and the number of SQL queries. Then runs the specialised
benchmarks (repères rebuild, veille search and ingestion, PDF reports) when asked (--all), and writes
bench/results/latest.json and latest.md with each issue's target beside the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT, gunicorn, load, machine, write_results

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/srefop_bench_pages")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/srefop-bench-pages"))

TARGETS = {
    "pages": "p95 proche de la vue témoin ; requêtes SQL constantes quelle que soit la volumétrie",
    "reperes_rebuild": "≤ 10 s (ticket 5)",
    "veille_search_p95": "≤ 50 ms sur 200 000 articles (ticket 7)",
    "veille_ingestion": "≥ 10 000 articles/min (ticket 7)",
    "territory_report": "≤ 2 s (ticket 6)",
    "regional_bundle": "≤ 40 s avec 2 workers (ticket 6)",
}


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.dev",
        "DJANGO_DEBUG": "0",
        "SREFOP_DEMO_MODE": "1",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "SREFOP_VAR_DIR": str(VAR_DIR),
        "SREFOP_BENCH": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), capture_output=True, text=True, check=True
    )
    return result.stdout


def setup_database():
    name = DB_URL.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage("migrate", "--noinput")
    manage("load_demo_data", "--force", "--quiet-accounts")


def django_setup():
    os.environ.update(environment())
    import django

    django.setup()


def pages_to_measure() -> list[dict]:
    """The key pages, with the role that reads them (anonymous or a demo account)."""
    from django.urls import reverse

    from clefop.models import Body
    from roadmaps.models import Roadmap

    clefop = Body.objects.get(slug="clefop-44-nan")
    roadmap = Roadmap.objects.filter(body=clefop).order_by("-pk").first()
    pages = [
        {"name": "accueil", "path": reverse("home"), "email": None},
        {"name": "territoire", "path": reverse("territories:detail", args=["44-NAN"]), "email": None},
        {"name": "fiche repères", "path": reverse("reperes:sheet", args=["44-NAN"]), "email": None},
        {"name": "veille (recherche)", "path": reverse("veille:list") + "?q=formation", "email": None},
        {"name": "couverture", "path": reverse("roadmaps:coverage"), "email": "crefop@demo.srefop.fr"},
        {
            "name": "tableau de bord régional",
            "path": reverse("roadmaps:dashboard_region"),
            "email": "crefop@demo.srefop.fr",
        },
    ]
    if roadmap is not None:
        path = reverse("roadmaps:roadmap_detail", args=[clefop.slug, roadmap.pk])
        pages.insert(3, {"name": "feuille de route", "path": path, "email": "membre.nantes@demo.srefop.fr"})
    return pages


def session_cookie(email: str | None) -> str:
    if not email:
        return ""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return f"sessionid={client.cookies['sessionid'].value}"


def query_count(path: str, email: str | None) -> tuple[int, bytes]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    client.get(path)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return len(queries), response.content


def measure_pages(clients: int, requests: int) -> list[dict]:
    django_setup()
    baseline_dir = VAR_DIR / "bench"
    baseline_dir.mkdir(parents=True, exist_ok=True)
    pages = pages_to_measure()
    for index, page in enumerate(pages):
        page["queries"], content = query_count(page["path"], page["email"])
        page["bytes"] = len(content)
        page["key"] = f"page{index}"
        (baseline_dir / f"{page['key']}.html").write_bytes(content)
        page["cookie"] = session_cookie(page["email"])
    rows = []
    with gunicorn(environment(), workers=4) as (_url, port):
        load(port, ["/"], clients=4, requests=40)  # warm every worker
        for page in pages:
            measured = load(port, [page["path"]], clients=clients, requests=requests, cookie=page["cookie"])
            baseline = load(port, [f"/__bench__/baseline/{page['key']}/"], clients=clients, requests=requests)
            rows.append(
                {
                    "page": page["name"],
                    "path": page["path"],
                    "role": page["email"] or "anonyme",
                    "sql_queries": page["queries"],
                    "bytes": page["bytes"],
                    **{k: v for k, v in measured.summary().items() if k != "statuses"},
                    "statuses": measured.summary()["statuses"],
                    "baseline_p50_ms": round(baseline.p50, 1),
                    "baseline_p95_ms": round(baseline.p95, 1),
                    "ratio_p95": round(measured.p95 / baseline.p95, 2) if baseline.p95 else None,
                }
            )
            print(f"  {page['name']:<28} p50 {measured.p50:7.1f} ms  p95 {measured.p95:7.1f} ms  "
                  f"(témoin p95 {baseline.p95:6.1f} ms)  {page['queries']} requêtes SQL")  # fmt: skip
    return rows


def markdown(data: dict) -> str:
    lines = [
        "# Mesures de performance — dernière exécution",
        "",
        f"Machine : {data['machine']['cpus']} cœurs, Python {data['machine']['python']}, {data['machine']['date']}.",
        f"Données : démonstration (18 territoires) sur PostgreSQL ; {data['clients']} clients simultanés, gunicorn "
        "4 workers sur la boucle locale.",
        "",
        "| Page | Rôle | SQL | p50 (ms) | p95 (ms) | témoin p95 (ms) | ratio p95 | erreurs 5xx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in data["pages"]:
        lines.append(
            f"| {row['page']} | {row['role']} | {row['sql_queries']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['baseline_p95_ms']} | {row['ratio_p95']} | {row['server_errors']} |"
        )
    lines += ["", "## Objectifs des tickets", ""]
    lines += [f"- {key} : {target}" for key, target in TARGETS.items()]
    lines += [
        "",
        "Les mesures spécialisées (reconstruction des repères, recherche et ingestion de la veille, rapports PDF) sont",
        "produites par `bench/reperes_bench.py`, `bench/veille_bench.py` et `bench/report_bench.py` ; leurs derniers",
        "résultats sont dans `bench/results/`.",
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        print("Préparation de la base (données de référence et de démonstration)…")
        setup_database()
    print(f"Pages, {args.clients} clients simultanés :")
    data = {"machine": machine(), "clients": args.clients, "pages": measure_pages(args.clients, args.requests)}
    data["targets"] = TARGETS
    json_path, md_path = write_results(data, markdown(data))
    print(md_path.read_text(encoding="utf-8"))
    print(f"Résultats : {json_path}, {md_path}")


if __name__ == "__main__":
    main()
