"""Veille benchmark (not a test): search p95 over 200,000 items on PostgreSQL, ingestion + tagging throughput.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srefop_bench python bench/veille_bench.py [--items 200000]

Creates the database if needed, migrates, loads the reference data, generates the items once (kept between runs),
then measures:
- search: 200 queries (words, phrases, with and without territory/theme filters) through the same code as the
  public list (filters, French full-text query, ordering, first page with its prefetches, capped count), and the
  whole page through the test client;
- ingestion: a generated RSS feed of 5,000 new items served by a local HTTP server, collected by the real
  service (HTTP, feedparser, de-duplication, tagging, search vectors); and the tagger alone.
Targets: search p95 ≤ 50 ms; ingestion ≥ 10,000 items per minute.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/srefop_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srefop_portal.settings.base")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SREFOP_VAR_DIR", "/tmp/srefop-bench-var")
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

    call_command("migrate", verbosity=0, run_syncdb=True)
    if Territory.objects.count() == 0:
        call_command("load_reference_data", verbosity=0)
    from veille.tagging import ensure_default_themes

    ensure_default_themes()


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
    from django.db import connection

    from veille.models import NewsItem, Source
    from veille.search import search_vector_expression
    from veille.services import ingest_entries

    source, _ = Source.objects.get_or_create(name="Banc d'essai", defaults={"kind": Source.Kind.MANUAL})
    have = NewsItem.objects.filter(source=source).count()
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
    NewsItem.objects.filter(search_vector__isnull=True).update(search_vector=search_vector_expression())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE veille_newsitem; ANALYZE veille_territorytag; ANALYZE veille_newsitem_themes")


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
    tag_items(items)
    return items


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_search():
    from django.test import Client

    from territories.models import Territory
    from veille.forms import FilterForm
    from veille.models import NewsItem, Theme
    from veille.views import PAGE_SIZE, CappedPaginator, filtered_items, with_listing_relations

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
    client.get("/veille/")  # warm-up
    query_times, page_times, counts = [], [], []
    for params in cases:
        started = time.perf_counter()
        form = FilterForm(params)
        queryset = with_listing_relations(
            filtered_items(NewsItem.objects.published(), form.values()).order_by("-featured", "-published_at", "-pk")
        )
        paginator = CappedPaginator(queryset, PAGE_SIZE)
        page = paginator.get_page(1)
        list(page.object_list)
        counts.append(paginator.count)
        query_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get("/veille/", params)
        assert response.status_code == 200
        page_times.append((time.perf_counter() - started) * 1000)
    return query_times, page_times, counts


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
    source, _ = Source.objects.update_or_create(
        name="Banc d'essai — flux", defaults={"kind": Source.Kind.FEED, "feed_url": url, "is_active": True}
    )
    before = NewsItem.objects.count()
    started = time.perf_counter()
    source = fetch_source(source_id=source.pk)
    elapsed = time.perf_counter() - started
    created = NewsItem.objects.count() - before
    server.shutdown()
    started = time.perf_counter()
    compute_tags(entries)
    tag_elapsed = time.perf_counter() - started
    return created, elapsed, tag_elapsed, len(_FeedHandler.body), source.last_fetch_message


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200_000)
    args = parser.parse_args()
    ensure_database()
    setup_django()
    prepare()
    generate(args.items)
    from veille.models import NewsItem

    total = NewsItem.objects.count()
    print(f"\nArticles en base : {total:,}".replace(",", " "))
    query_times, page_times, counts = bench_search()
    print(
        f"Recherche (requêtes, 200 recherches) : médiane {statistics.median(query_times):.1f} ms, "
        f"p95 {percentile(query_times, 0.95):.1f} ms, max {max(query_times):.1f} ms "
        f"(résultats comptés : de {min(counts)} à {max(counts)}, plafond 1000)"
    )
    print(
        f"Recherche (page complète) : médiane {statistics.median(page_times):.1f} ms, "
        f"p95 {percentile(page_times, 0.95):.1f} ms  — objectif p95 ≤ 50 ms"
    )
    created, elapsed, tag_elapsed, size, message = bench_ingestion()
    print(
        f"Collecte d'un flux de {created} articles ({size / 1e6:.1f} Mo) : {elapsed:.1f} s, "
        f"soit {created / elapsed * 60:.0f} articles/minute — objectif ≥ 10 000"
    )
    print(f"  ({message})")
    print(f"Étiquetage seul : {5000 / tag_elapsed * 60:.0f} articles/minute")


if __name__ == "__main__":
    main()
