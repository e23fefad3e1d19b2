"""Veille benchmark (not a test): public search over 200,000 news items on PostgreSQL, ingestion + tagging rate.

    python -m bench.veille_bench [--scale 10 | --items 200000] [--database-url postgres://...] [--cases 30]
    python -m bench.veille_bench --ingestion-only --items 20000   # the ingestion part alone (key ingestion_seule)

or, from another script (bench/run.py chains every bench into one table)::

    from bench.veille_bench import run
    results = run(scale=10)        # dict, also written to bench/results/veille.json

``run(scale=..., **kw)`` measures in a child process (its own Django settings and database), so it can be called
from a process that already set Django up for another database. Keyword arguments: ``items`` (default
20,000 × scale, the volume of bench/generate.py; scale 10 = 200,000), ``database_url`` (default: the
``DATABASE_URL`` of the environment, else postgres://postgres@127.0.0.1:5432/srefop_bench_veille), ``cases`` (queries
per shape), ``ingestion`` (measure the feed collection), ``write`` (write bench/results/veille.json).

What it does:
- creates the database if needed, migrates, loads the reference data, and tops the news items up to ``items``
  (generated once, kept between runs; items already there, e.g. from bench/generate.py, count);
- search, per query shape (words only, words + territory, words + theme, words + territory + theme, territory only,
  territory + dates, source, region-wide first page, page N typed or linked without cursor, page N reached by the
  « Page suivante » link of page N - 1 with its cursor): the same code as the public list (filters, French full-text
  query, ordering, page, capped count, the page's lookups and rows) — p50/p95 of that path, of the count alone
  and of the whole page through the test client, with the Python CPU time of each (hardly affected by the other
  processes of a shared machine, unlike wall-clock times); plus the former mix of 200 searches (comparable with
  earlier runs); the SQL plan (EXPLAIN ANALYZE, BUFFERS) of one query of each shape is saved in
  bench/results/veille-plans.txt and its execution time in the JSON;
- ingestion: a generated RSS feed of 5,000 new items served by a local HTTP server, collected by the real service
  (HTTP, feedparser, de-duplication, tagging, search vectors), then removed again; and the tagger alone;
- records the machine load (os.getloadavg, as `uptime` shows it) before and after: timings depend on it.
Targets (issue 7): search p95 ≤ 50 ms; ingestion ≥ 10,000 items per minute.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/srefop_bench_veille"
ITEMS_PER_SCALE = 20_000
TARGET_SEARCH_P95_MS = 50
TARGET_INGESTION_PER_MINUTE = 10_000


def configure_environment(database_url: str | None = None) -> None:
    """Environment of the measuring process (before Django is set up)."""
    sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srefop_portal.settings.base")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("SREFOP_VAR_DIR", "/tmp/srefop-bench-veille-var")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


WORDS = str.split(
    "emploi formation orientation apprentissage alternance insertion handicap industrie numérique soin bâtiment "
    "logistique agriculture tourisme hôtellerie restauration commerce transport santé social jeunes seniors "
    "femmes cadres ingénieurs techniciens soudeurs infirmiers aides-soignants conducteurs chaudronniers "
    "électriciens plombiers cuisiniers serveurs vendeurs éducateurs animateurs agents opérateurs ouvriers "
    "forum salon rencontre atelier stage visite conférence bilan étude baromètre enquête plan contrat convention "
    "recrutement reconversion qualification certification compétences métiers découverte lycéens collégiens "
    "étudiants demandeurs saisonniers intérim CDI CDD usine entreprise artisan chantier port aéronautique "
    "naval automobile agroalimentaire viticulture maraîchage élevage pêche bois textile chaussure énergie "
    "hydrogène éolien photovoltaïque rénovation recyclage mobilité logement garde enfants crèche numérique"
)
TEMPLATES = [
    "{c} : {w1} et {w2}, un {w3} pour les {w4}",
    "{c}. Le {w1} des {w2} attire {n} visiteurs",
    "À {c}, {n} offres en {w1} et {w2}",
    "{w1} : {c} mise sur les {w2}",
    "{c} : nouvelle session de {w1} pour {n} {w2}",
    "Pays de la Loire : {w1} et {w2} en hausse de {p} %",
]
QUERIES = [
    "apprentissage",
    "forum emploi",
    "formation numérique",
    "hydrogène",
    "soudeurs",
    "industrie",
    "saisonniers",
    "reconversion",
    "aides-soignants",
    "Cholet",
    "Laval",
    "Sables",
    "métiers du bois",
    "crèche",
    "CDI",
    "chaudronniers naval",
    "baromètre",
    "éolien",
    "insertion jeunes",
    "viticulture",
]


def setup_django():
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai mesure PostgreSQL : définissez DATABASE_URL=postgres://...")
    settings.ALLOWED_HOSTS = ["*"]
    settings.SREFOP_VEILLE_MAX_BYTES = 50 * 1024 * 1024


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Base {name} créée.")


def prepare():
    from django.core.management import call_command

    from territories.models import Territory

    call_command("migrate", verbosity=0)
    if Territory.objects.count() == 0:
        call_command("load_reference_data", verbosity=0)
    from veille.tagging import ensure_default_themes

    ensure_default_themes()
    # The table as autovacuum leaves it in production (a migration may just have rewritten every row): visibility map
    # up to date for index-only scans, fresh statistics. Quick when there is nothing to do.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE veille_newsitem")


def communes():
    from territories.models import Commune

    return list(Commune.objects.filter(population__gte=1500).values_list("name", flat=True))


def make_entries(count, rng, names, prefix):
    from datetime import timedelta

    from django.utils import timezone

    from veille.ingestion import Entry

    now = timezone.now()
    entries = []
    for index in range(count):
        values = {
            "c": rng.choice(names),
            "w1": rng.choice(WORDS),
            "w2": rng.choice(WORDS),
            "w3": rng.choice(WORDS),
            "w4": rng.choice(WORDS),
            "n": rng.randint(5, 900),
            "p": rng.randint(1, 15),
        }
        title = rng.choice(TEMPLATES).format(**values)
        summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 40))).capitalize() + "."
        entries.append(
            Entry(
                title=title,
                summary=summary,
                link=f"https://bench.example.fr/{prefix}/{index}",
                published_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 365)),
            )
        )
    return entries


def generate(target):
    """Top the news items up to ``target`` (all items count, whoever generated them)."""
    from django.db import connection

    from veille.models import NewsItem, Source
    from veille.search import update_search_vectors
    from veille.services import ingest_entries

    source, _ = Source.objects.get_or_create(name="Banc d'essai", defaults={"kind": Source.Kind.MANUAL})
    have = NewsItem.objects.count()
    if have >= target:
        print(f"{have:,} articles déjà présents.".replace(",", " "))
        return
    rng = random.Random(have)
    names = communes()
    started = time.perf_counter()
    batch = 5000
    while have < target:
        entries = make_entries(min(batch, target - have), rng, names, f"gen-{have}")
        # The title de-duplication would compare with up to a year of items: generation goes straight to the
        # tagger and the bulk insert (ingestion itself is measured below on a real feed).
        created = ingest_entries(source=source, entries=entries) if have < 20_000 else _fast_insert(source, entries)
        have += len(created)
        print(f"  {have:,} articles ({time.perf_counter() - started:.0f} s)".replace(",", " "), flush=True)
    update_search_vectors(NewsItem.objects.filter(search_vector__isnull=True))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE veille_newsitem")
        cursor.execute("ANALYZE veille_territorytag")
        cursor.execute("ANALYZE veille_newsitem_themes")


def _fast_insert(source, entries):
    from django.utils import timezone

    from veille.models import NewsItem
    from veille.tagging import tag_items
    from veille.text import canonical_url, title_key

    now = timezone.now()
    items = NewsItem.objects.bulk_create(
        [
            NewsItem(
                source=source,
                title=e.title,
                title_key=title_key(e.title),
                summary=e.summary,
                link=e.link,
                canonical_url=canonical_url(e.link),
                published_at=e.published_at,
                listed_at=now,
            )
            for e in entries
        ],
        batch_size=2000,
    )
    tag_items(items, new=True)  # tags, themes and search vectors
    return items


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summary(values):
    if not values:
        return {}
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def shape_cases(cases_per_shape: int) -> dict[str, list[dict]]:
    """Query parameters of the public list, per shape, drawn from the data (same seed, same cases)."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from territories.models import Territory
    from veille.models import Source, Theme

    rng = random.Random(7)
    territories = list(Territory.objects.order_by("code").values_list("code", flat=True))
    themes = list(Theme.objects.order_by("slug").values_list("slug", flat=True))
    sources = list(
        Source.objects.annotate(n=Count("items")).filter(n__gt=0).order_by("pk").values_list("pk", flat=True)
    )
    today = timezone.localdate()

    def days():
        end = today - timedelta(days=rng.randint(0, 300))
        return {"du": (end - timedelta(days=rng.choice([7, 30, 90]))).isoformat(), "au": end.isoformat()}

    def make(builder):
        return [builder() for _ in range(cases_per_shape)]

    def deep_page():
        return rng.choice([{"q": rng.choice(QUERIES)}, {"territoire": rng.choice(territories)}, {}]) | {
            "page": str(rng.randint(2, 50))
        }

    return {
        "mots": make(lambda: {"q": rng.choice(QUERIES)}),
        "mots + territoire": make(lambda: {"q": rng.choice(QUERIES), "territoire": rng.choice(territories)}),
        "mots + thème": make(lambda: {"q": rng.choice(QUERIES), "theme": rng.choice(themes)}),
        "mots + territoire + thème": make(
            lambda: {"q": rng.choice(QUERIES), "territoire": rng.choice(territories), "theme": rng.choice(themes)}
        ),
        "territoire seul": make(lambda: {"territoire": rng.choice(territories)}),
        "territoire + dates": make(lambda: {"territoire": rng.choice(territories), **days()}),
        "source": make(lambda: {"source": str(rng.choice(sources))}),
        "région, 1re page": make(dict),
        "page N (2 à 50)": make(deep_page),
        # The same kind of pages reached as a reader does, by the « Page suivante » link of the page before.
        "page suivante (2 à 50)": [next_link_params(params) for params in make(deep_page)],
    }


PAGING = ("page", "apres", "avant")


def list_queryset(params):
    from veille.forms import FilterForm
    from veille.listing import public_items

    form = FilterForm({k: v for k, v in params.items() if k not in PAGING})
    return public_items(form.values())


def next_link_params(params):
    """The parameters of the « Page suivante » link of page N - 1 (a reader going through the pages), for a page N
    within the results: the cursor of the last item of page N - 1."""
    from veille.listing import Cursor
    from veille.views import PAGE_SIZE, CappedPaginator

    paginator = CappedPaginator(list_queryset(params), PAGE_SIZE)
    number = max(2, min(int(params["page"]), paginator.num_pages))
    if paginator.num_pages < 2:
        return params | {"page": "1"}
    previous = list(paginator.page(number - 1).object_list)
    cursor = Cursor.of(previous[-1])
    return params | {"page": str(number)} | ({"apres": cursor.token()} if cursor else {})


def query_path(params):
    """The public list's work without HTTP nor template, in the view's order: filters, page (by number, or from the
    cursor of the link followed) with the capped count (none when the first page is not full; the planner's estimate
    when far above the cap), the page's lookups and rows. Times in ms."""
    from veille.listing import listed_rows, page_lookups, territory_choices
    from veille.views import PAGE_SIZE, CappedPaginator, list_page

    started, cpu = time.perf_counter(), time.process_time()
    paginator = CappedPaginator(list_queryset(params), PAGE_SIZE)
    page, _notice = list_page(paginator, params)
    items = page.object_list
    listed_rows(items, page_lookups([item.pk for item in items]), territory_choices())
    count = paginator.count
    total = (time.perf_counter() - started) * 1000
    cpu_ms = (time.process_time() - cpu) * 1000
    # The count alone, as a page computes it (estimate, or exact count stopping at the cap).
    queryset = list_queryset(params)
    started = time.perf_counter()
    CappedPaginator(queryset, PAGE_SIZE).count  # noqa: B018
    count_ms = (time.perf_counter() - started) * 1000
    return total, count_ms, count, paginator.capped, paginator.estimated, cpu_ms


def explain(params) -> tuple[str, dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the page query and of the capped count of one case."""
    from django.db import connection

    from veille.listing import Cursor, offset_rows
    from veille.views import COUNT_CAP, PAGE_SIZE

    queryset = list_queryset(params)
    page = int(params.get("page", 1))
    cursor = Cursor.parse(params.get("apres"))
    parts, times = [], {}
    for label, query in (
        (
            "page",
            cursor.after(queryset)[:PAGE_SIZE]
            if cursor
            else offset_rows(queryset, (page - 1) * PAGE_SIZE, page * PAGE_SIZE),
        ),
        ("comptage plafonné", queryset.order_by().values("pk")[: COUNT_CAP + 1]),
    ):
        sql, sql_params = query.query.sql_with_params()
        if label != "page":
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
            lines = [row[0] for row in cursor.fetchall()]
        parts.append(f"-- {label}\n" + "\n".join(lines))
        times[label] = float(lines[-1].split(":")[1].split()[0])  # « Execution Time: 1.234 ms »
    return "\n".join(parts), times


def fresh_search() -> None:
    """The next page is built, not read from the cache: a new version of the veille's data, as after an ingestion
    (the list's results are cached per query, see veille.views.ItemListView). What is measured is a search that
    nobody made since the last write."""
    from srefop_portal.common import versions

    versions.bump(["news"])


def bench_shapes(cases_per_shape: int):
    from django.test import Client

    client = Client()
    client.get("/veille/")  # warm-up
    shapes = shape_cases(cases_per_shape)
    results, plans = {}, []
    for name, cases in shapes.items():
        for params in cases[:3]:  # warm-up of this shape's plans and pages
            query_path(params)
        query_ms, query_cpu_ms, count_ms, page_ms, page_cpu_ms, counts, estimated = [], [], [], [], [], [], 0
        for params in cases:
            total, count_time, count, capped, was_estimated, cpu_time = query_path(params)
            query_ms.append(total)
            query_cpu_ms.append(cpu_time)
            count_ms.append(count_time)
            counts.append(count)
            estimated += was_estimated
            fresh_search()
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get("/veille/", params)
            assert response.status_code == 200, (params, response.status_code)
            page_ms.append((time.perf_counter() - started) * 1000)
            page_cpu_ms.append((time.process_time() - cpu) * 1000)
        results[name] = {
            "requetes": summary(query_ms),
            "requetes_cpu_python": summary(query_cpu_ms),
            "comptage": summary(count_ms),
            "page_complete": summary(page_ms),
            # CPU time of the Django process for the whole page (the database's work not included): unlike the
            # wall-clock times, it hardly depends on the other processes sharing the machine.
            "page_complete_cpu_python": summary(page_cpu_ms),
            "resultats_comptes": {"min": min(counts), "max": max(counts)},
            "comptages_estimes": estimated,
            "exemple": cases[0],
        }
        plan, times = explain(cases[0])
        plans.append(f"===== {name} : {json.dumps(cases[0], ensure_ascii=False)}\n{plan}\n")
        row = results[name]
        row["sql_execution_exemple_ms"] = times
        print(
            f"  {name:<26} requêtes p50 {row['requetes']['p50_ms']:5.1f} p95 {row['requetes']['p95_ms']:5.1f} ms"
            f" (CPU Python p50 {row['requetes_cpu_python']['p50_ms']:4.1f})"
            f" | comptage p95 {row['comptage']['p95_ms']:5.1f} ms | page complète p50"
            f" {row['page_complete']['p50_ms']:5.1f} p95 {row['page_complete']['p95_ms']:5.1f} ms"
            f" (CPU Python p50 {row['page_complete_cpu_python']['p50_ms']:4.1f})",
            flush=True,
        )
    return results, "\n".join(plans)


def bench_mix():
    """The former protocol (200 searches: words, one in three with a territory, one in five with a theme)."""
    from django.test import Client

    from territories.models import Territory
    from veille.models import Theme

    rng = random.Random(7)
    territories = list(Territory.objects.values_list("code", flat=True))
    themes = list(Theme.objects.values_list("slug", flat=True))
    cases = []
    for index in range(200):
        params = {"q": QUERIES[index % len(QUERIES)]}
        if index % 3 == 1:
            params["territoire"] = rng.choice(territories)
        if index % 5 == 2:
            params["theme"] = rng.choice(themes)
        cases.append(params)
    client = Client()
    client.get("/veille/")
    query_times, page_times = [], []
    for params in cases:
        query_times.append(query_path(params)[0])
        fresh_search()
        started = time.perf_counter()
        response = client.get("/veille/", params)
        assert response.status_code == 200
        page_times.append((time.perf_counter() - started) * 1000)
    return {"requetes": summary(query_times), "page_complete": summary(page_times)}


class _FeedHandler(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def bench_ingestion(count=5000):
    """Collect a feed of ``count`` new items through the real service, then remove them (the data stay the same)."""
    from xml.sax.saxutils import escape

    from veille.models import NewsItem, Source
    from veille.services import fetch_source
    from veille.tagging import compute_tags

    rng = random.Random(time.time_ns())
    run = f"run-{time.time_ns()}"
    entries = make_entries(count, rng, communes(), run)
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Banc</title>']
    for e in entries:
        parts.append(
            f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
            f"<description>{escape(e.summary)}</description><pubDate>{format_datetime(e.published_at)}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    _FeedHandler.body = "".join(parts).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/flux.xml"
    # The portal refuses loopback addresses (srefop_portal/common/outbound.py); the bench lets exactly its own feed
    # server through, the way the tests do, so that the real fetch path (checks included) is measured.
    from django.conf import settings

    settings.SREFOP_OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{server.server_address[1]}"]
    source, _ = Source.objects.update_or_create(
        name="Banc d'essai — flux", defaults={"kind": Source.Kind.FEED, "feed_url": url, "is_active": True}
    )
    before = NewsItem.objects.count()
    started, cpu_started = time.perf_counter(), time.process_time()
    source = fetch_source(source_id=source.pk)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    created = NewsItem.objects.count() - before
    server.shutdown()
    server.server_close()
    started, cpu_started = time.perf_counter(), time.process_time()
    compute_tags(entries)
    tag_elapsed, tag_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    NewsItem.objects.filter(source=source).delete()
    return {
        "articles_collectes": created,
        "taille_flux_octets": len(_FeedHandler.body),
        "secondes": round(elapsed, 2),
        "articles_par_minute": round(created / elapsed * 60) if elapsed else None,
        # Python CPU time of this process (HTTP, parsing, de-duplication, tagging; not PostgreSQL's own work).
        "articles_par_minute_cpu_python": round(created / cpu * 60) if cpu else None,
        "etiquetage_seul_articles_par_minute": round(count / tag_elapsed * 60) if tag_elapsed else None,
        # Python CPU time: hardly affected by the other processes of a shared machine, unlike wall-clock time.
        "etiquetage_seul_cpu_articles_par_minute": round(count / tag_cpu * 60) if tag_cpu else None,
        "message": source.last_fetch_message,
    }


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


def measure(*, items: int, cases: int = 30, ingestion: bool = True) -> dict:
    from django.db import connection

    ensure_database()
    setup_django()
    prepare()
    generate(items)
    from veille.models import NewsItem

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "postgresql": postgres},
        "charge_au_debut": load_average(),
        "articles": NewsItem.objects.count(),
        "articles_publies": NewsItem.objects.published().count(),
        "objectifs": {
            "recherche_p95_ms": TARGET_SEARCH_P95_MS,
            "ingestion_articles_par_minute": TARGET_INGESTION_PER_MINUTE,
        },
    }
    print(f"\nArticles en base : {results['articles']:,}  — charge {results['charge_au_debut']}".replace(",", " "))
    print("Recherche, par forme de requête (requêtes = filtres + comptage + page + préchargements) :")
    results["formes"], plans = bench_shapes(cases)
    all_queries = [row["requetes"]["p95_ms"] for row in results["formes"].values()]
    results["recherche_p95_ms_pire_forme"] = max(all_queries)
    results["page_complete_p95_ms_pire_forme"] = max(
        row["page_complete"]["p95_ms"] for row in results["formes"].values()
    )
    results["melange_200_recherches"] = mix = bench_mix()
    print(
        f"Mélange de 200 recherches (protocole précédent) : requêtes p50 {mix['requetes']['p50_ms']} ms, "
        f"p95 {mix['requetes']['p95_ms']} ms ; page complète p50 {mix['page_complete']['p50_ms']} ms, "
        f"p95 {mix['page_complete']['p95_ms']} ms — objectif p95 ≤ {TARGET_SEARCH_P95_MS} ms"
    )
    results["charge_apres_recherche"] = load_average()
    if ingestion:
        results["ingestion"] = ingest = bench_ingestion()
        print(
            f"Collecte d'un flux de {ingest['articles_collectes']} articles "
            f"({ingest['taille_flux_octets'] / 1e6:.1f} Mo) : {ingest['secondes']} s, soit "
            f"{ingest['articles_par_minute']} articles/minute — objectif ≥ {TARGET_INGESTION_PER_MINUTE}"
        )
        print(f"  ({ingest['message']})")
        print(f"Étiquetage seul : {ingest['etiquetage_seul_articles_par_minute']} articles/minute")
    results["charge_a_la_fin"] = load_average()
    print(f"Charge de la machine (1, 5, 15 min) : début {results['charge_au_debut']}, fin {results['charge_a_la_fin']}")
    results["plans"] = plans
    return results


def measure_ingestion_only(*, items: int) -> dict:
    """The ingestion part alone (feed collection + tagger), over a base of ``items`` news items."""
    ensure_database()
    setup_django()
    prepare()
    generate(items)
    from veille.models import NewsItem

    ingest = bench_ingestion()
    ingest.update(
        date=time.strftime("%Y-%m-%d %H:%M:%S"),
        articles_en_base=NewsItem.objects.count(),
        charge=load_average(),
        objectif_articles_par_minute=TARGET_INGESTION_PER_MINUTE,
    )
    print(
        f"Collecte d'un flux de {ingest['articles_collectes']} articles : {ingest['secondes']} s, soit "
        f"{ingest['articles_par_minute']} articles/minute ({ingest['articles_par_minute_cpu_python']} en temps CPU "
        f"Python) — objectif ≥ {TARGET_INGESTION_PER_MINUTE} ; "
        f"étiquetage seul : {ingest['etiquetage_seul_articles_par_minute']} articles/minute "
        f"({ingest['etiquetage_seul_cpu_articles_par_minute']} en temps CPU) "
        f"(base de {ingest['articles_en_base']} articles, charge {ingest['charge']})"
    )
    return ingest


def write_ingestion_only(ingest: dict) -> Path:
    """Record the ingestion part alone beside the last full run (key ``ingestion_seule`` of veille.json)."""
    path = RESULTS / "veille.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results["ingestion_seule"] = ingest
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_results(results: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    plans = results.pop("plans", "")
    (RESULTS / "veille-plans.txt").write_text(plans, encoding="utf-8")
    path = RESULTS / "veille.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def run(
    scale: float = 10,
    *,
    items: int | None = None,
    database_url: str | None = None,
    cases: int = 30,
    ingestion: bool = True,
    write: bool = True,
) -> dict:
    """Entry point for bench/run.py: measures in a child process, returns the results (and writes veille.json)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.veille_bench", "--scale", str(scale), "--cases", str(cases)]
        command += ["--out", out.name]
        command += ["--items", str(items)] if items else []
        command += ["--database-url", database_url] if database_url else []
        command += [] if ingestion else ["--skip-ingestion"]
        command += [] if write else ["--no-write"]
        subprocess.run(command, cwd=ROOT, check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10, help="20 000 articles per unit (default 10: 200 000)")
    parser.add_argument("--items", type=int, default=0, help="number of articles (overrides --scale)")
    parser.add_argument("--database-url", default="", help=f"default: $DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    parser.add_argument("--cases", type=int, default=30, help="queries per shape")
    parser.add_argument("--skip-ingestion", action="store_true")
    parser.add_argument(
        "--ingestion-only",
        action="store_true",
        help="measure the ingestion part alone (over --items articles) and record it as ingestion_seule in veille.json",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/veille.json")
    parser.add_argument("--out", default="", help="also write the results to this file")
    args = parser.parse_args()
    configure_environment(args.database_url or None)
    items = args.items or int(args.scale * ITEMS_PER_SCALE)
    if args.ingestion_only:
        ingest = measure_ingestion_only(items=items)
        if not args.no_write:
            print(f"Résultats : {write_ingestion_only(ingest)}")
        return
    results = measure(items=items, cases=args.cases, ingestion=not args.skip_ingestion)
    results["parametres"] = {"articles_vises": items, "requetes_par_forme": args.cases}
    plans = results.get("plans", "")
    if not args.no_write:
        path = write_results(results)
        print(f"Résultats : {path} (plans SQL : {RESULTS / 'veille-plans.txt'})")
    results.pop("plans", None)
    if args.out:
        Path(args.out).write_text(json.dumps(results | {"plans": plans}, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
