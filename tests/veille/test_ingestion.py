from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import StaffFactory
from tests.veille.conftest import rss
from veille import tasks
from veille.models import NewsItem, Source
from veille.services import fetch_source

pytestmark = pytest.mark.django_db

NOW = format_datetime(timezone.now() - timedelta(hours=1))


def feed_source(server, path="/flux.xml", **kwargs):
    return Source.objects.create(
        name=kwargs.pop("name", "Presse test"), kind=Source.Kind.FEED, feed_url=server.url(path), **kwargs
    )


def good_feed():
    return rss(
        (
            "Cholet : le forum de l&apos;emploi attire 1 500 visiteurs",
            "https://www.presse.example.fr/cholet-forum?utm_source=rss&amp;utm_medium=flux",
            "<p>Des <b>recruteurs</b> de l'industrie.</p><script>alert('x')</script><img src=x onerror=alert(1)>",
            NOW,
        ),
        (
            "Les Sables-d'Olonne : la mission locale lance un job dating",
            "https://presse.example.fr/sables-job-dating#commentaires",
            "Apprentissage et alternance au programme.",
            NOW,
        ),
        (
            "Cholet : le forum de l’emploi attire 1500 visiteurs",  # near-identical title, same day
            "https://presse.example.fr/cholet-forum-bis",
            "Doublon.",
            NOW,
        ),
        (
            "Autre site, même article",
            "http://presse.example.fr/cholet-forum?utm_campaign=x",  # same canonical URL as the first
            "Doublon d'URL.",
            NOW,
        ),
    )


def test_feed_is_collected_tagged_sanitised_and_deduplicated(feed_server):
    feed_server.add("/flux.xml", good_feed())
    source = feed_source(feed_server)
    source = fetch_source(source_id=source.pk)
    assert source.last_fetch_status == Source.FetchStatus.OK, source.last_fetch_message
    assert source.consecutive_failures == 0
    items = {item.title: item for item in NewsItem.objects.filter(source=source)}
    assert len(items) == 2, list(items)
    cholet = items["Cholet : le forum de l'emploi attire 1 500 visiteurs"]
    assert cholet.canonical_url == "https://presse.example.fr/cholet-forum"
    assert "<" not in cholet.summary and "alert" not in cholet.summary
    assert cholet.summary == "Des recruteurs de l'industrie."
    assert list(cholet.territories.values_list("code", flat=True)) == ["49-CHO"]
    tag = cholet.territory_tags.get()
    assert tag.matched_terms == ["Cholet"] and tag.confidence == 1.0 and not tag.is_manual
    sables = items["Les Sables-d'Olonne : la mission locale lance un job dating"]
    assert list(sables.territories.values_list("code", flat=True)) == ["85-LIT"]
    assert set(sables.themes.values_list("slug", flat=True)) >= {"emploi", "apprentissage"}
    assert sables.canonical_url == "https://presse.example.fr/sables-job-dating"
    assert "dont 2\u00a0nouveaux." in source.last_fetch_message


def test_second_fetch_sends_etag_and_handles_304(feed_server):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return {"status": 304, "headers": {"ETag": '"v1"'}, "body": b""}
        return {
            "status": 200,
            "headers": {"ETag": '"v1"', "Last-Modified": "Mon, 05 Jan 2026 08:00:00 GMT"},
            "body": good_feed(),
        }

    feed_server.routes["/flux.xml"] = conditional
    source = feed_source(feed_server)
    fetch_source(source_id=source.pk)
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.last_modified.startswith("Mon, 05 Jan 2026")
    count = NewsItem.objects.count()
    source = fetch_source(source_id=source.pk)
    assert source.last_fetch_status == Source.FetchStatus.NOT_MODIFIED, (
        source.last_fetch_message,
        feed_server.requests,
    )
    assert NewsItem.objects.count() == count
    path, headers = feed_server.requests[-1]
    assert headers.get("If-None-Match") == '"v1"'
    assert headers.get("If-Modified-Since", "").startswith("Mon, 05 Jan 2026")


def test_refetching_the_same_feed_adds_nothing(feed_server):
    feed_server.add("/flux.xml", good_feed())
    source = feed_source(feed_server)
    fetch_source(source_id=source.pk)
    source = fetch_source(source_id=source.pk)
    assert NewsItem.objects.count() == 2
    assert "aucun nouveau." in source.last_fetch_message


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"body": b"<?xml version='1.0'?><rss><channel></item><<<</rss>"}, "mal formé"),
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        ({"status": 404, "body": b""}, "HTTP 404"),
        ({"body": b"<html><body>Pas un flux</body></html>", "headers": {"Content-Type": "text/html"}}, "pas un flux"),
    ],
)
def test_broken_feeds_are_recorded_not_raised(feed_server, route, message):
    feed_server.add("/flux.xml", **route)
    source = feed_source(feed_server)
    source = fetch_source(source_id=source.pk)
    assert source.last_fetch_status == Source.FetchStatus.ERROR
    assert message in source.last_fetch_message
    assert source.consecutive_failures == 1
    assert not NewsItem.objects.exists()


def test_truncated_feed_keeps_readable_items_with_a_warning(feed_server):
    body = good_feed()
    feed_server.add("/flux.xml", body[: body.index(b"<item>", body.index(b"sables-job-dating"))])
    source = fetch_source(source_id=feed_source(feed_server).pk)
    assert source.last_fetch_status == Source.FetchStatus.WARNING
    assert "anomalie" in source.last_fetch_message
    assert NewsItem.objects.count() == 2


def test_wrong_encoding_declaration_is_read_with_a_warning(feed_server):
    body = rss(
        ("Évron : l'industriel embauche", "https://presse.example.fr/evron", "Forêt, été", NOW),
        encoding="cp1252",
        declared="utf-8",
    )
    feed_server.add("/flux.xml", body, headers={"Content-Type": "application/rss+xml"})
    source = fetch_source(source_id=feed_source(feed_server).pk)
    assert source.last_fetch_status in (Source.FetchStatus.WARNING, Source.FetchStatus.OK), source.last_fetch_message
    item = NewsItem.objects.get()
    assert item.title == "Évron : l'industriel embauche"
    assert list(item.territories.values_list("code", flat=True)) == ["53-NMA"]


def test_timeout_is_recorded(feed_server, settings):
    settings.SREFOP_VEILLE_TIMEOUT = 0.3
    feed_server.add("/lent.xml", good_feed(), delay=1.5)
    source = fetch_source(source_id=feed_source(feed_server, "/lent.xml").pk)
    assert source.last_fetch_status == Source.FetchStatus.ERROR
    assert "Délai dépassé" in source.last_fetch_message


def test_redirect_is_followed_and_reported(feed_server):
    feed_server.add("/ancien.xml", status=301, headers={"Location": feed_server.url("/flux.xml")})
    feed_server.add("/flux.xml", good_feed())
    source = fetch_source(source_id=feed_source(feed_server, "/ancien.xml").pk)
    assert source.last_fetch_status == Source.FetchStatus.OK
    assert "redirigé" in source.last_fetch_message
    assert NewsItem.objects.count() == 2


def test_redirect_loop_is_an_error(feed_server):
    feed_server.add("/a.xml", status=302, headers={"Location": feed_server.url("/b.xml")})
    feed_server.add("/b.xml", status=302, headers={"Location": feed_server.url("/a.xml")})
    source = fetch_source(source_id=feed_source(feed_server, "/a.xml").pk)
    assert source.last_fetch_status == Source.FetchStatus.ERROR
    assert "redirection" in source.last_fetch_message.lower()


def test_oversize_feed_is_refused(feed_server, settings):
    settings.SREFOP_VEILLE_MAX_BYTES = 2000
    big = good_feed() + b" " * 5000
    feed_server.add("/gros.xml", big)
    source = fetch_source(source_id=feed_source(feed_server, "/gros.xml").pk)
    assert source.last_fetch_status == Source.FetchStatus.ERROR
    assert "volumineux" in source.last_fetch_message


def test_source_is_disabled_after_repeated_failures_and_staff_told(
    feed_server, settings, django_capture_on_commit_callbacks
):
    settings.SREFOP_VEILLE_MAX_FAILURES = 3
    staff = StaffFactory()
    feed_server.add("/flux.xml", status=500)
    source = feed_source(feed_server)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            source = fetch_source(source_id=source.pk)
    assert not source.is_active
    assert source.consecutive_failures == 3
    assert "3 échecs" in source.disabled_reason
    assert len(mail.outbox) == 1
    assert staff.email in mail.outbox[0].to
    assert "désactivée" in mail.outbox[0].subject
    # The daily job no longer reads it.
    assert tasks.fetch_all_sources() == 0


def test_fetch_all_sources_survives_bad_sources(feed_server):
    feed_server.add("/bon.xml", good_feed())
    feed_server.add("/casse.xml", b"<rss><channel></item><<</rss>")
    feed_server.add("/erreur.xml", status=503)
    good = feed_source(feed_server, "/bon.xml", name="Bon")
    broken = feed_source(feed_server, "/casse.xml", name="Cassé")
    failing = feed_source(feed_server, "/erreur.xml", name="En erreur")
    Source.objects.create(name="Saisie", kind=Source.Kind.MANUAL)
    assert tasks.fetch_all_sources() == 3
    statuses = dict(Source.objects.values_list("name", "last_fetch_status"))
    assert statuses["Bon"] == "ok" and statuses["Cassé"] == "error" and statuses["En erreur"] == "error"
    assert NewsItem.objects.filter(source=good).count() == 2
    assert not NewsItem.objects.filter(source__in=[broken, failing]).exists()


def test_atom_feed(feed_server):
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x</id><updated>2026-01-05T08:00:00Z</updated>
<entry><title>Laval : le salon de l'orientation</title><id>urn:1</id><link href="https://presse.example.fr/laval"/>
<updated>{timezone.now().isoformat()}</updated>
<summary type="html">&lt;p&gt;3 000 lycéens&lt;/p&gt;</summary></entry></feed>""".encode()
    feed_server.add("/atom.xml", atom, headers={"Content-Type": "application/atom+xml"})
    fetch_source(source_id=feed_source(feed_server, "/atom.xml").pk)
    item = NewsItem.objects.get()
    assert item.summary == "3 000 lycéens"
    assert list(item.territories.values_list("code", flat=True)) == ["53-LAV"]


def test_source_default_territories_and_themes_apply(feed_server):
    from territories.models import Territory
    from veille.models import Theme

    feed_server.add("/flux.xml", rss(("Une actualité sans lieu", "https://presse.example.fr/x", "", NOW)))
    source = feed_source(feed_server)
    source.default_territories.set([Territory.objects.get(code="49-SAU")])
    source.default_themes.set([Theme.objects.get(slug="insertion")])
    fetch_source(source_id=source.pk)
    item = NewsItem.objects.get()
    assert list(item.territories.values_list("code", flat=True)) == ["49-SAU"]
    assert list(item.themes.values_list("slug", flat=True)) == ["insertion"]


def test_staff_fetch_now_button(feed_server, staff_client, django_capture_on_commit_callbacks):
    feed_server.add("/flux.xml", good_feed())
    source = feed_source(feed_server)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("veille_staff:source_fetch", args=[source.pk]))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.last_fetch_status == "ok"
    assert NewsItem.objects.filter(source=source).count() == 2
    page = staff_client.get(reverse("veille_staff:source_update", args=[source.pk])).content.decode()
    assert "Collecte réussie" in page and "dont 2\u00a0nouveaux" in page


def test_near_identical_titles_are_dropped_on_the_same_day_only():
    from tests.veille.factories import NewsItemFactory, SourceFactory
    from veille.ingestion import Entry
    from veille.services import ingest_entries

    # 10 h in the morning: « two hours later » is the same day whatever the time the test runs (it failed after 22 h).
    day = (timezone.localtime() - timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    NewsItemFactory(title="Cholet : le forum de l'emploi attire 1 500 visiteurs", published_at=day)
    source = SourceFactory()

    def entry(title, when, n):
        return Entry(title=title, summary="", link=f"https://presse.example.fr/quasi-{n}", published_at=when)

    created = ingest_entries(
        source=source,
        entries=[
            entry("Cholet : le forum de l’emploi attire 1500 visiteurs", day + timedelta(hours=2), 1),  # same day
            entry("Cholet : le forum de l'emploi attire 1 500 visiteurs", day + timedelta(days=3), 2),  # other day
            entry("Cholet : le forum des métiers de l'industrie", day, 3),  # same day, another title
            entry("Laval : 300 offres au salon de l'apprentissage", day + timedelta(days=10), 4),
            entry("Laval : 300 offres au salon de l’apprentissage !", day + timedelta(days=10), 5),  # same batch
        ],
    )
    assert sorted(item.link[-1] for item in created) == ["2", "3", "4"]
