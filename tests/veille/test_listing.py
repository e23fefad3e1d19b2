"""The public list's pages: « page suivante / précédente » read from a cursor give the same pages as page numbers,
bad page numbers and cursors give a sane page (with a French notice), and the rows carry the right labels."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import versions
from territories.models import Territory
from tests.veille.factories import NewsItemFactory, SourceFactory, tagged_item
from veille.listing import Cursor, listed_rows, page_lookups, public_items
from veille.models import NewsItem, Theme

pytestmark = pytest.mark.django_db

URL = reverse("veille:list")


def make_items(count, featured=0):
    """``count`` items, newest first « Article 00 », « Article 01 »...; pairs share their publication date (the
    primary key breaks the tie); the ``featured`` oldest ones are « à la une »."""
    now = timezone.now().replace(microsecond=0)
    items = []
    for n in range(count):
        items.append(NewsItemFactory(title=f"Article {n:02d}", published_at=now - timedelta(hours=n // 2)))
    for item in items[-featured:] if featured else []:
        item.featured = True
        item.save(update_fields=["featured"])
    return items


def expected_order():
    return list(
        NewsItem.objects.published().order_by("-featured", "-published_at", "-pk").values_list("title", flat=True)
    )


def titles(page_html):
    return re.findall(r'<a href="/veille/articles/\d+/">([^<]+)</a>', page_html)


def link(page_html, label):
    match = re.search(rf'href="([^"]+)">{label}</a>', page_html)
    return html.unescape(match.group(1)) if match else None


def get(client, query, **params):
    """GET the list at ``query`` (a link's « ?... », or empty) plus ``params``."""
    response = client.get(URL + (query or ""), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("featured", [0, 2, 25])
def test_next_and_previous_links_give_the_pages_of_the_page_numbers(client, featured):
    make_items(65, featured=featured)
    order = expected_order()
    by_number = [titles(get(client, "", page=n)) for n in range(1, 5)]
    assert sum(by_number, []) == order
    # Forward with « Page suivante », then back with « Page précédente ».
    page, query, seen = get(client, ""), "", []
    for number in range(1, 5):
        assert titles(page) == by_number[number - 1], number
        assert f"{number} / 4" in page
        seen += titles(page)
        query = link(page, "Page suivante")
        if number == 4:
            assert query is None
        else:
            page = get(client, query)
    assert seen == order
    for number in (3, 2, 1):
        query = link(page, "Page précédente")
        if number >= 2 and not (featured == 25 and number == 2):
            assert "avant=" in query or number == 1
        page = get(client, query)
        assert titles(page) == by_number[number - 1], number
        assert f"{number} / 4" in page


def test_cursor_links_are_given_after_non_featured_items_only(client):
    make_items(45, featured=25)
    page1 = get(client, "")
    assert "apres=" not in link(page1, "Page suivante")  # the page ends with an item « à la une »: by number
    page2 = get(client, link(page1, "Page suivante"))
    assert "apres=" in link(page2, "Page suivante")
    page3 = get(client, link(page2, "Page suivante"))
    # Page 2 holds items « à la une »: the cursor gives fewer items than a page, page 2 is read by number.
    assert titles(get(client, link(page3, "Page précédente"))) == titles(page2)


def test_next_page_continues_where_the_reader_stopped_when_items_arrive(client):
    make_items(45)
    page1 = get(client, "")
    shown = titles(page1)
    for n in range(3):
        NewsItemFactory(title=f"Nouvel article {n}")
    following = titles(get(client, link(page1, "Page suivante")))
    offset_page2 = titles(get(client, "", page=2))
    assert following == expected_order()[23:43]  # right after the last item shown, none twice
    assert not set(following) & set(shown)
    assert set(offset_page2) & set(shown)  # by number, the page moved: 3 items come again


def test_links_keep_the_filters(client):
    for n in range(25):
        tagged_item(title=f"Cholet : forum numéro {n}", summary="")
    page1 = get(client, "", q="forum", territoire="49-CHO")
    next_link = link(page1, "Page suivante")
    assert "q=forum" in next_link and "territoire=49-CHO" in next_link and "page=2" in next_link
    page2 = get(client, next_link)
    assert len(titles(page2)) == 5 and "2 / 2" in page2
    assert "apres=" not in (link(page2, "Page précédente") or "")


@pytest.mark.parametrize(
    ("page", "notice", "number"),
    [
        ("abc", "« abc » n’est pas un numéro de page : voici la première page.", 1),
        ("0", "« 0 » n’est pas un numéro de page", 1),
        ("-2", "« -2 » n’est pas un numéro de page", 1),
        ("2.5", "« 2.5 » n’est pas un numéro de page", 1),
        ("9", "La page 9 n’existe pas : il y a 3 pages de résultats, voici la dernière.", 3),
        ("999999999999999999999999", "n’existe pas : il y a 3 pages de résultats, voici la dernière.", 3),
    ],
)
def test_bad_page_numbers_give_a_sane_page_and_say_so(client, page, notice, number):
    make_items(45)
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    content = response.content.decode()
    assert html.escape(notice, quote=False) in content or notice in html.unescape(content)
    assert f"{number} / 3" in content
    assert titles(content) == expected_order()[(number - 1) * 20 : number * 20]


def test_page_beyond_an_empty_result(client):
    make_items(3)
    content = get(client, "", q="introuvable", page="3")
    assert "La page 3 n’existe pas : voici la première page." in html.unescape(content)
    assert "Aucun article ne correspond" in html.unescape(content)


@pytest.mark.parametrize(
    "params",
    [
        {"apres": "abc"},
        {"apres": "1.2.3"},
        {"apres": "999999999999999999.5"},  # beyond the year 9999
        {"apres": "12.0"},
        {"avant": "x"},
        {"avant": "5.x", "apres": ""},
        {"apres": "1.1"},  # a cursor before every item: nothing after it, read by number
    ],
)
def test_garbage_cursors_are_ignored(client, params):
    make_items(45)
    content = get(client, "", page="2", **params)
    assert titles(content) == expected_order()[20:40]
    assert "2 / 3" in content


def test_cursor_round_trip_and_parse():
    item = NewsItemFactory()
    cursor = Cursor.of(item)
    assert Cursor.parse(cursor.token()) == cursor
    assert Cursor.parse(cursor.token()).published_at == item.published_at
    item.featured = True
    assert Cursor.of(item) is None
    for token in ("", None, "a.b", "1.0", "-1.5", "1.5.6", "1." + "9" * 30):
        assert Cursor.parse(token) is None, token


def test_rows_carry_the_labels_of_the_page():
    source = SourceFactory(name="Ouest presse")
    item = tagged_item(
        title="Saumur, Angers et Cholet : les apprentis du numérique",
        summary=" ".join(f"mot{n}" for n in range(60)),
        source=source,
        published_at=timezone.make_aware(timezone.datetime(2026, 1, 5, 23, 30)),
    )
    [row] = listed_rows(public_items({}))
    assert row["url"] == reverse("veille:detail", args=[item.pk]) == item.get_absolute_url()
    assert row["date"] == "5 janvier 2026"
    assert row["source"] == "Ouest presse"
    assert row["summary"] == " ".join(f"mot{n}" for n in range(45)) + " …"
    territories = Territory.objects.filter(news_items=item).order_by("name")
    themes = Theme.objects.filter(items=item)
    assert territories and themes  # « Saumur, Angers et Cholet », « apprentis », « numérique »
    # The DSFR tags: the territories by name (links to their veille page), then the themes in their order.
    expected = "".join(
        f'<li><a class="fr-tag fr-tag--sm fr-icon-map-pin-2-line fr-tag--icon-left" '
        f'href="{reverse("veille:territory", args=[territory.code])}">{html.escape(territory.name)}</a></li>'
        for territory in territories
    ) + "".join(f'<li><p class="fr-tag fr-tag--sm">{html.escape(theme.name)}</p></li>' for theme in themes)
    assert row["tags"] == expected


def test_rows_are_escaped_once():
    item = NewsItemFactory(title="<script>alert('x')</script> & co", summary='Les "bons" <b>plans</b>')
    item.source.name = "Presse <i>locale</i>"
    item.source.save()
    [row] = listed_rows(public_items({}))
    assert row["title"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co"
    assert row["summary"] == "Les &quot;bons&quot; &lt;b&gt;plans&lt;/b&gt;"
    assert row["source"] == "Presse &lt;i&gt;locale&lt;/i&gt;"


def test_page_prints_escaped_values_once(client):
    NewsItemFactory(title="L'emploi & la <formation>", summary="")
    content = get(client, "")
    assert "L&#x27;emploi &amp; la &lt;formation&gt;" in content
    assert "&amp;amp;" not in content and "<formation>" not in content


def test_lookups_of_an_empty_page():
    lookups = page_lookups([])
    assert lookups.tags == {} and lookups.item_themes == {}
    assert [name for _pk, _slug, name in lookups.themes] == list(Theme.objects.values_list("name", flat=True))


def test_queries_do_not_grow_with_items_tags_sources_or_pages(client):
    source = SourceFactory()
    for n in range(21):  # a full page: the count is read too
        NewsItemFactory(title=f"Article {n}", source=source)
    client.get(URL)  # warm the caches
    versions.bump(["news"])  # the results are built again (a cached page costs no query: see below)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for n in range(45):
        tagged_item(title=f"Cholet, Laval et Saumur : forum {n}", source=SourceFactory())
    with CaptureQueriesContext(connection) as big:
        page1 = get(client, "")
    assert len(big) == len(small)
    with CaptureQueriesContext(connection) as following:
        get(client, link(page1, "Page suivante"))
    # The count, the cursor's page, the lookups: no query per item, tag or source.
    assert len(following) <= len(big) + 1


def test_results_are_built_once_per_query_and_shown_again_at_once_after_a_write(client):
    source = SourceFactory()
    for n in range(3):
        NewsItemFactory(title=f"Article {n}", source=source)
    first = get(client, "?q=article")
    with CaptureQueriesContext(connection) as again:
        assert "Article 2" in get(client, "?q=article") and "Article 2" in first
    assert len(again) == 0  # the same search: the results come from the cache
    NewsItemFactory(title="Article tout neuf", source=source)
    assert "Article tout neuf" in get(client, "?q=article")  # a write to the veille supersedes them


def test_parameters_the_list_does_not_read_are_left_out_of_its_links_and_cache():
    from veille.views import list_parameters

    query = QueryDict("q=emploi&q=formation&utm_source=lettre&page=2&x=" + "a" * 50)
    assert list_parameters(query).urlencode() == "q=formation&page=2"


def test_an_unknown_parameter_does_not_change_the_page(client):
    source = SourceFactory()
    for n in range(25):
        NewsItemFactory(title=f"Article {n}", source=source)
    get(client, "?q=article")
    with CaptureQueriesContext(connection) as tracked:
        page = get(client, "?q=article&utm_source=lettre")
    assert len(tracked) == 0  # the results of « ?q=article », from the cache
    assert "Page suivante" in page and "utm_source" not in page
