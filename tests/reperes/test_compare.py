"""The comparison page from cached parts (reperes/comparison.py): a write shows at once, each reader class gets its
own indicators, and the SQL of a request does not grow with the number of indicators or values."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reperes.models import Indicator, Theme
from tests.reperes.conftest import import_file, make_csv

pytestmark = pytest.mark.django_db

URL = reverse("reperes:compare")
HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_import_changes_the_comparison_at_once(catalogue, geo, client):
    import_file(make_csv([HEADER, ["emp", "commune", geo["a"].code, "2024", 120]]))
    assert "<td>120</td>" in page(client, indicateur="emp")
    import_file(make_csv([HEADER, ["emp", "commune", geo["a"].code, "2024", 345]]))
    content = page(client, indicateur="emp")
    assert "<td>345</td>" in content and "<td>120</td>" not in content
    # A new period is offered, and chosen by default (the latest).
    import_file(make_csv([HEADER, ["emp", "commune", geo["a"].code, "2025", 7]]))
    content = page(client, indicateur="emp")
    assert '<option value="2025"' in content and "Emplois (2025)" in content
    assert "Emplois (2024)" in page(client, indicateur="emp", periode="2024")
    # An indicator renamed: at once too.
    Indicator.objects.filter(code="emp").update(label="Emplois salariés")
    assert "Emplois salariés (2025)" in page(client, indicateur="emp")


def test_members_indicators_are_in_the_members_fragment_only(catalogue, geo, client_for):
    import_file(
        make_csv(
            [HEADER, ["emp", "commune", geo["a"].code, "2024", 100], ["sal", "commune", geo["a"].code, "2024", "14,5"]]
        )
    )
    anonymous, member = client_for("anonymous"), client_for("member")
    for _ in range(2):  # built, then read from the cache
        assert "Salaire horaire" not in page(anonymous)
        assert "Salaire horaire" in page(member)
    assert anonymous.get(URL, {"indicateur": "sal"}).status_code == 404
    assert "Salaire horaire (2024)" in page(member, indicateur="sal")
    # Unknown indicator: 404; unknown period: the latest, nothing cached under what was typed.
    assert member.get(URL, {"indicateur": "inconnu"}).status_code == 404
    assert "Emplois (2024)" in page(anonymous, indicateur="emp", periode="n’importe quoi")


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, **params)
    return len(captured)


def test_query_count_does_not_grow_with_indicators_and_values(catalogue, geo, client):
    def load(indicators, years):
        rows = [HEADER]
        for n in range(indicators):
            code = f"ind{n}"
            Indicator.objects.get_or_create(code=code, defaults={"label": f"Indicateur {n}", "theme": Theme.EMPLOI})
            for year in years:
                for commune in (geo["a"], geo["b"], geo["c"]):
                    rows.append([code, "commune", commune.code, year, n + int(year) % 7])
        import_file(make_csv(rows))

    load(1, ["2024"])
    queries(client)  # the region's map geometry, cached until the territories change
    load(1, ["2024"])
    cold_small, warm_small = queries(client), queries(client)
    load(25, ["2020", "2021", "2022", "2023", "2024"])
    cold_large, warm_large = queries(client), queries(client)
    assert cold_small == cold_large
    assert warm_small == warm_large == 0  # anonymous, from the cache
