"""A territory sheet and the comparison page in Chromium, an import's page following its roll-back; axe at 0
violations."""

import pytest
from django.conf import settings
from django.test import Client

from reperes.models import ImportBatch, Indicator, Observation, Rule, Sheet, Theme
from reperes.sheets import build_sheet
from srefop_portal.common import jobs
from territories.models import Commune, Territory
from tests.accounts.factories import StaffFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.reperes.conftest import import_file, make_csv
from tests.second_factor import sign_in


@pytest.fixture
def sheet_data(browser_data):
    emp = Indicator.objects.create(code="emp", label="Emplois", theme=Theme.EMPLOI, unit="emplois", is_key=True,
                                   chart="evolution", is_demo=True)  # fmt: skip
    act = Indicator.objects.create(code="act", label="Actifs", theme=Theme.EMPLOI, unit="personnes", is_demo=True)
    Indicator.objects.create(code="taux", label="Taux d’emploi", theme=Theme.EMPLOI, unit="%", decimals=1,
                             rule=Rule.RATIO, numerator=emp, denominator=act, factor=100, is_key=True,
                             chart="evolution", is_demo=True)  # fmt: skip
    rows = [["indicateur", "niveau", "code_geo", "periode", "valeur"]]
    for n, code in enumerate(Commune.objects.order_by("code").values_list("code", flat=True)):
        for year in range(2019, 2025):
            rows += [
                ["emp", "commune", code, year, 100 + n % 13 + year % 5],
                ["act", "commune", code, year, 1000 + n % 7],
            ]
    import_file(make_csv(rows))
    build_sheet(Territory.objects.get(code="44-NAN"), Sheet.Audience.PUBLIC)


def test_sheet_and_comparison_pages(page, sheet_data):
    page.goto(page.base_url + "/reperes/territoires/44-NAN/")
    assert page.locator("h1").inner_text() == "Fiche repères — Nantes"
    assert page.get_by_text("données de démonstration").first.is_visible()
    assert page.locator(".srefop-chart svg").count() >= 2
    assert_accessible(page)
    assert_no_console_errors(page)

    page.select_option("#choix-carte", "act")
    page.get_by_role("button", name="Afficher la carte").click()
    page.wait_for_load_state()
    assert "Actifs (2024) par commune" in page.content()
    assert_accessible(page)

    page.goto(page.base_url + "/reperes/comparer/?indicateur=taux")
    assert page.locator("table tbody tr").count() == 18
    assert page.locator("svg#carte-territoires").count() == 1
    assert_accessible(page)
    assert_no_console_errors(page)

    page.goto(page.base_url + "/reperes/")
    assert page.get_by_role("link", name="Nantes").first.is_visible()
    assert_accessible(page)


def test_import_page_follows_its_roll_back_to_the_end(page, monkeypatch):
    """The worker is late: the page shows the queued roll-back, polls it, and shows the import rolled back."""
    staff = StaffFactory(email="equipe@exemple.fr")
    client = Client()
    sign_in(client, staff)  # staff sign in with a second factor: the browser gets the test client's session
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": page.base_url}]
    )  # fmt: skip
    Indicator.objects.create(code="emp", label="Emplois", theme=Theme.EMPLOI, unit="emplois", is_demo=True)
    header = ["indicateur", "niveau", "code_geo", "periode", "valeur"]
    communes = list(Commune.objects.order_by("code").values_list("code", flat=True)[:3])
    import_file(make_csv([header, *[["emp", "commune", code, 2024, 100] for code in communes]]))
    correction = import_file(make_csv([header, ["emp", "commune", communes[0], 2024, 150]]), filename="correction.csv")
    queued = []
    monkeypatch.setattr(jobs, "enqueue", queued.append)

    page.goto(page.base_url + correction.get_absolute_url())
    page.get_by_role("button", name="Annuler cet import").click()
    page.wait_for_load_state()
    state = page.locator("#import-etat")
    assert "En attente — 0 %" in state.inner_text() and page.get_by_text("Annulation lancée").is_visible()
    assert page.get_by_role("button", name="Annuler cet import").count() == 0
    assert_accessible(page)

    with page.expect_response(lambda response: "/taches/" in response.url):  # a poll, then the worker runs it
        pass
    jobs.execute(queued[0].pk)
    page.get_by_text("Annulé — Annulé : 0\u00a0valeur supprimée, 1\u00a0valeur rétablie.").wait_for()
    assert "Agrégats recalculés, fiches repères en cours de mise à jour." in state.inner_text()
    assert ImportBatch.objects.get(pk=correction.pk).status == ImportBatch.Status.ROLLED_BACK
    assert Observation.objects.get(indicator__code="emp", level="commune", code=communes[0]).value == 100
    assert_accessible(page)
    assert_no_console_errors(page)
