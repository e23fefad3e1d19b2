"""A visitor reads the news watch: searches, filters by territory and theme, opens an item; axe on each page."""

import pytest

from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def items(browser_data):
    from tests.veille.factories import tagged_item
    from veille.tagging import ensure_default_themes

    ensure_default_themes()
    return [
        tagged_item(
            title="Cholet : forum de l’emploi industriel", summary="Cinquante recruteurs attendus.", featured=True
        ),
        tagged_item(title="Les Sables-d’Olonne : la mission locale lance un job dating", summary="Apprentissage."),
        tagged_item(title="Laval : salon de l’orientation", summary="3 000 lycéens."),
    ]


def test_visitor_searches_and_filters(page, items):
    page.goto(page.base_url + "/veille/")
    assert page.locator("h1").inner_text().startswith("Veille")
    assert page.locator("article").count() == 3
    assert_accessible(page)

    page.fill("#veille-q", "forum")
    page.click("button:has-text('Rechercher')")
    page.wait_for_load_state()
    assert page.locator("article").count() == 1
    assert "Cholet" in page.locator("article").inner_text()

    page.goto(page.base_url + "/veille/")
    page.select_option("#veille-territoire", "85-LIT")
    page.click("button:has-text('Rechercher')")
    page.wait_for_load_state()
    assert page.locator("article").count() == 1
    assert "Sables" in page.locator("article").inner_text()
    assert_accessible(page)

    page.select_option("#veille-territoire", "")
    page.select_option("#veille-theme", "orientation")
    page.click("button:has-text('Rechercher')")
    page.wait_for_load_state()
    assert page.locator("article").count() == 1
    assert "Laval" in page.locator("article").inner_text()

    page.click("article a:has-text('Laval')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Laval : salon de l’orientation"
    assert_accessible(page)

    page.click("a:has-text('Laval') >> nth=-1")
    page.wait_for_load_state()
    assert "/veille/territoires/53-LAV/" in page.url
    assert_accessible(page)
    assert_no_console_errors(page)


def test_visitor_goes_through_the_pages(page, items):
    from tests.veille.factories import NewsItemFactory

    for n in range(22):
        NewsItemFactory(title=f"Article de la liste numéro {n:02d}")
    page.goto(page.base_url + "/veille/")
    assert page.locator("article").count() == 20
    page.click("a:has-text('Page suivante')")
    page.wait_for_load_state()
    assert "apres=" in page.url
    assert page.locator("article").count() == 5
    assert "2 / 2" in page.locator(".fr-pagination").inner_text()
    assert_accessible(page)
    page.click("a:has-text('Page précédente')")
    page.wait_for_load_state()
    assert page.locator("article").count() == 20
    page.goto(page.base_url + "/veille/?page=abc")
    assert "n’est pas un numéro de page" in page.locator("[role=status]").inner_text()
    assert page.locator("article").count() == 20
    assert_accessible(page)
    assert_no_console_errors(page)


def test_staff_corrects_a_false_tag_once_for_the_source(page, live_server):
    """Staff remove a territory from an item: the correction is listed, applies to the next item of the source,
    and can be removed again."""
    from urllib.parse import urlparse

    from django.test import Client

    from territories.models import Territory
    from tests.roles import make_role_user
    from tests.second_factor import sign_in
    from tests.veille.factories import NewsItemFactory, SourceFactory
    from veille.models import TagCorrection, TerritoryTag
    from veille.tagging import tag_items

    client = Client()
    sign_in(client, make_role_user("staff"))  # a staff session that passed the second factor
    host = urlparse(live_server.url).hostname
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    source = SourceFactory(name="Courrier de Laval (Québec)")
    item = NewsItemFactory(source=source, title="Laval : la ville embauche 200 animateurs de camps de jour")
    tag_items([item])
    laval = Territory.objects.get(code="53-LAV")
    assert TerritoryTag.objects.filter(item=item, territory=laval).exists()

    page.goto(f"{page.base_url}/gestion/veille/articles/{item.pk}/")
    assert "reconnu automatiquement (Laval, confiance 100" in page.locator("#etiquetage + ul").inner_text()
    assert page.is_checked("input[name=correction_scope][value=source]")
    assert_accessible(page)
    page.uncheck(f"input[name=territories_field][value='{laval.pk}']")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_load_state()
    correction = TagCorrection.objects.get()
    assert (correction.term, correction.source_id) == ("Laval", source.pk)

    page.click("nav[aria-label='Gestion de la veille'] a:has-text('Corrections d’étiquetage')")
    page.wait_for_load_state()
    row = page.locator("tbody tr").first.inner_text()
    assert "« Laval »" in row and "Ne plus étiqueter" in row and "Courrier de Laval (Québec)" in row
    assert_accessible(page)

    page.click("tbody tr button:has-text('Supprimer')")
    page.wait_for_load_state()
    assert "Aucune correction." in page.locator("tbody").inner_text()
    assert_no_console_errors(page)
