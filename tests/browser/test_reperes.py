"""A territory sheet and the comparison page in Chromium, with axe at 0 violations."""

import pytest

from reperes.models import Indicator, Rule, Sheet, Theme
from reperes.sheets import build_sheet
from territories.models import Commune, Territory
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.reperes.conftest import import_file, make_csv


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
