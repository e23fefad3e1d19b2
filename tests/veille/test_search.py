"""Words, territory and theme filters together return exactly the right items, on SQLite and on PostgreSQL
(where they are one lookup in the stored vector): staff corrections of the tags count, hidden items never show."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from srefop_portal.common import versions
from territories.models import Territory
from tests.veille.factories import NewsItemFactory, SourceFactory, tagged_item
from veille.listing import filtered_items
from veille.models import NewsItem, Theme
from veille.services import save_item, set_item_status
from veille.tagging import retag_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    """Items spread over territories, themes and words (tagged by the real tagger)."""
    return {
        "cholet_apprentis": tagged_item(title="Cholet : les apprentis boulangers à l'honneur", summary=""),
        "cholet_forum": tagged_item(title="Cholet : forum de l'emploi industriel", summary=""),
        "laval_apprentis": tagged_item(title="Laval : record d'apprentis dans le bâtiment", summary=""),
        "laval_forum": tagged_item(title="Laval : forum des métiers du numérique", summary="Orientation des lycéens."),
        "both": tagged_item(title="Cholet et Laval : un forum commun pour les apprentis", summary=""),
        "region": tagged_item(title="Pays de la Loire : les apprentis plus nombreux", summary=""),
        "hidden": tagged_item(title="Cholet : apprentis, article masqué", status=NewsItem.Status.HIDDEN),
        "draft": tagged_item(title="Laval : forum, brouillon", status=NewsItem.Status.DRAFT),
    }


def found(filters):
    queryset = filtered_items(NewsItem.objects.published(), filters)
    return {item.title for item in queryset}


def titles(corpus, *keys):
    return {corpus[key].title for key in keys}


def test_words_territory_and_theme_combined(corpus):
    cholet, laval = Territory.objects.get(code="49-CHO"), Territory.objects.get(code="53-LAV")
    apprentissage, emploi = Theme.objects.get(slug="apprentissage"), Theme.objects.get(slug="emploi")
    assert found({"q": "apprentis"}) == titles(corpus, "cholet_apprentis", "laval_apprentis", "both", "region")
    assert found({"q": "apprentis", "territoire": cholet}) == titles(corpus, "cholet_apprentis", "both")
    assert found({"q": "forum", "territoire": laval}) == titles(corpus, "laval_forum", "both")
    assert found({"territoire": laval}) == titles(corpus, "laval_apprentis", "laval_forum", "both")
    assert found({"theme": apprentissage, "territoire": cholet}) == titles(corpus, "cholet_apprentis", "both")
    assert found({"q": "forum", "theme": emploi}) == titles(corpus, "cholet_forum")
    assert found({"q": "forum", "theme": apprentissage, "territoire": laval}) == titles(corpus, "both")
    assert found({"q": "apprentis", "territoire": cholet, "theme": emploi}) == set()
    assert found({"q": "introuvable", "territoire": cholet}) == set()


def test_hidden_and_draft_items_never_listed(client, corpus):
    def shown(item, page):
        return escape(item.title) in page

    html = client.get(reverse("veille:list"), {"q": "apprentis", "territoire": "49-CHO"}).content.decode()
    assert shown(corpus["cholet_apprentis"], html) and not shown(corpus["hidden"], html)
    html = client.get(reverse("veille:territory", args=["53-LAV"]), {"q": "forum"}).content.decode()
    assert shown(corpus["laval_forum"], html) and not shown(corpus["draft"], html)
    feed = client.get(reverse("veille:feed_territory", args=["49-CHO"])).content.decode()
    assert f"srefop-veille-{corpus['cholet_apprentis'].pk}<" in feed
    assert f"srefop-veille-{corpus['hidden'].pk}<" not in feed
    set_item_status(item=corpus["cholet_forum"], status=NewsItem.Status.HIDDEN)
    assert found({"q": "forum", "territoire": Territory.objects.get(code="49-CHO")}) == titles(corpus, "both")


def test_staff_corrections_change_what_the_filters_find(corpus, staff_user):
    cholet, saumur = Territory.objects.get(code="49-CHO"), Territory.objects.get(code="49-SAU")
    handicap = Theme.objects.get(slug="handicap")
    item = NewsItem.objects.get(pk=corpus["cholet_forum"].pk)
    save_item(item=item, territories=[saumur], themes=[handicap], by=staff_user)
    assert found({"q": "forum", "territoire": cholet}) == titles(corpus, "both")
    assert found({"q": "forum", "territoire": saumur}) == titles(corpus, "cholet_forum")
    assert found({"theme": handicap}) == titles(corpus, "cholet_forum")
    # Re-tagging (new keywords, new composition) keeps the staff choices, and the filters follow.
    retag_items(NewsItem.objects.all())
    assert found({"territoire": saumur}) == titles(corpus, "cholet_forum")
    assert corpus["cholet_forum"].title not in found({"territoire": cholet})
    # A new title is searchable at once.
    item.title = "Saumur : salon du handicap et de l'emploi"
    save_item(item=item, territories=[saumur], themes=[handicap], by=staff_user)
    assert found({"q": "salon", "territoire": saumur}) == {item.title}


def test_keyword_change_then_retag_updates_the_theme_filter(corpus):
    theme = Theme.objects.create(name="Boulangerie", slug="boulangerie", keywords="boulang*")
    assert found({"theme": theme}) == set()
    retag_items(NewsItem.objects.all())
    assert found({"theme": theme}) == titles(corpus, "cholet_apprentis")
    assert found({"theme": theme, "q": "apprentis", "territoire": Territory.objects.get(code="49-CHO")}) == titles(
        corpus, "cholet_apprentis"
    )


def test_source_and_dates_with_words(corpus):
    source = SourceFactory(name="Presse locale")
    old = tagged_item(
        title="Cholet : les apprentis d'hier", source=source, published_at=timezone.now() - timedelta(days=40)
    )
    since = (timezone.now() - timedelta(days=10)).date()
    cholet = Territory.objects.get(code="49-CHO")
    assert found({"q": "apprentis", "territoire": cholet, "source": source}) == {old.title}
    assert old.title not in found({"q": "apprentis", "territoire": cholet, "du": since})
    assert found({"territoire": cholet, "au": since}) == {old.title}


def test_order_featured_then_newest_and_count_cap(client, monkeypatch):
    now = timezone.now()
    items = [
        NewsItemFactory(title=f"Apprentis numéro {n:02d}", published_at=now - timedelta(hours=n)) for n in range(30)
    ]
    featured = items[-1]
    featured.featured = True
    featured.save(update_fields=["featured"])
    queryset = filtered_items(NewsItem.objects.published(), {"q": "apprentis"}).order_by(
        "-featured", "-published_at", "-pk"
    )
    assert list(queryset[:3]) == [featured, items[0], items[1]]
    monkeypatch.setattr("veille.views.COUNT_CAP", 25)
    html = client.get(reverse("veille:list"), {"q": "apprentis"}).content.decode()
    assert "Plus de 25 articles" in html and "1 / 2" in html
    html = client.get(reverse("veille:list"), {"q": "apprentis", "page": 2}).content.decode()
    assert html.count("<article") == 5


def test_estimated_count_is_trusted_only_far_above_the_cap_and_checked_on_an_empty_page(client, monkeypatch):
    for n in range(30):
        NewsItemFactory(title=f"Apprentis numéro {n:02d}")
    url = reverse("veille:list")
    # A far too high estimate: « plus de … » without counting, then an empty page leads to a real count.
    monkeypatch.setattr("veille.views.estimated_count", lambda queryset: 10**6)
    html = client.get(url, {"q": "apprentis"}).content.decode()
    assert re.search(r"Plus de 1\W000 articles", html) and "1 / 50" in html
    html = client.get(url, {"q": "apprentis", "page": 7}).content.decode()
    assert "30 articles" in html and "2 / 2" in html and html.count("<article") == 10
    assert "La page 7 n’existe pas : il y a 2 pages de résultats, voici la dernière." in html
    html = client.get(url, {"q": "apprentis", "page": 70}).content.decode()  # beyond the estimate's 50 pages too
    assert "La page 70 n’existe pas : il y a 2 pages de résultats, voici la dernière." in html and "2 / 2" in html
    # An estimate near the cap is not trusted: exact count. (Estimates change with the data, which supersedes the
    # cached results: a write is stood for by a new version of the veille's data.)
    monkeypatch.setattr("veille.views.estimated_count", lambda queryset: 2000)
    versions.bump(["news"])
    assert "30 articles" in client.get(url, {"q": "apprentis"}).content.decode()
