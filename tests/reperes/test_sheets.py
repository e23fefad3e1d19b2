import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reperes.models import Sheet
from reperes.services import after_data_change
from reperes.sheets import build_sheet, build_sheets
from srefop_portal.common.models import Job
from territories.models import Commune, Territory
from tests.reperes.conftest import import_file, make_csv

pytestmark = pytest.mark.django_db

HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def load_values(codes, years, catalogue_codes=("emp", "act", "sal")):
    rows = [HEADER]
    for n, code in enumerate(codes):
        for year in years:
            rows += [
                ["emp", "commune", code, year, 100 + n + int(year) % 7],
                ["act", "commune", code, year, 1000 + 3 * n],
                ["sal", "commune", code, year, "14,5"],
            ]
    return import_file(make_csv(rows))


@pytest.fixture
def nantes():
    return Territory.objects.select_related("departement").get(code="44-NAN")


def test_sheet_figures_comparisons_rank_and_charts(catalogue, geo, nantes):
    load_values([geo["a"].code, geo["b"].code, geo["c"].code], range(2019, 2025))
    sheet = build_sheet(nantes, Sheet.Audience.PUBLIC)
    figures = {f["code"]: f for f in sheet.snapshot["figures"]}
    assert set(figures) >= {"population", "emp", "act", "taux"}
    assert "sal" not in figures  # members only
    emp = figures["emp"]
    assert emp["period"] == "2024" and emp["previous_period"] == "2023"
    # Territory = communes a and b; the département has the same two; the region adds Angers.
    assert emp["departement_text"] == emp["value_text"]
    assert emp["rank"] == 1 and emp["rank_of"] == 2
    assert figures["taux"]["five_period"] == "2019" and figures["taux"]["five_evolution"]["text"].endswith("pt")
    charts = sheet.snapshot["charts"]
    assert [c["id"] for c in charts] == ["44-nan-taux"]
    svg = charts[0]["svg"]
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "style" not in svg and "<script" not in svg
    assert charts[0]["table"]["rows"][0][0] == "2019"
    assert sheet.map_svg.startswith("<svg") and not sheet.stale and sheet.built_at
    members = build_sheet(nantes, Sheet.Audience.MEMBERS)
    assert "sal" in {f["code"] for f in members.snapshot["figures"]}


def test_public_sees_public_indicators_members_and_staff_see_all(catalogue, geo, nantes, client_for):
    load_values([geo["a"].code], ["2024"])
    build_sheets(territory_codes=["44-NAN"])
    url = reverse("reperes:sheet", args=["44-NAN"])
    for role, sees in (("anonymous", False), ("user", False), ("member", True), ("staff", True)):
        html = client_for(role).get(url).content.decode()
        assert "Taux d’emploi" in html or "Taux d&#x27;emploi" in html or "Taux d’emploi" in html
        assert ("Salaire horaire" in html) is sees, role
    index = client_for("anonymous").get(reverse("reperes:index")).content.decode()
    assert "Salaire horaire" not in index
    compare = client_for("anonymous").get(reverse("reperes:compare"), {"indicateur": "sal"})
    assert compare.status_code == 404
    assert client_for("member").get(reverse("reperes:compare"), {"indicateur": "sal"}).status_code == 200


def test_sheet_is_marked_stale_after_an_import_and_rebuilt(
    catalogue, geo, nantes, client, django_capture_on_commit_callbacks
):
    load_values([geo["a"].code], ["2024"])
    build_sheets()
    assert Sheet.objects.count() == 36 and not Sheet.objects.filter(stale=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        import_file(make_csv([HEADER, ["emp", "commune", geo["a"].code, "2025", "999"]]))
        after_data_change()
    # The queued job rebuilt every stale sheet with the new figures.
    assert not Sheet.objects.filter(stale=True).exists()
    sheet = Sheet.objects.get(territory=nantes, audience="public")
    emp = next(f for f in sheet.snapshot["figures"] if f["code"] == "emp")
    assert emp["period"] == "2025" and emp["value"] == 999
    # Without a worker, the page shows the previous figures and says it is being updated; a GET queues nothing.
    Sheet.objects.update(stale=True)
    jobs_before = Job.objects.count()
    html = client.get(reverse("reperes:sheet", args=["44-NAN"])).content.decode()
    assert "mise à jour en cours" in html and "Mis à jour le" in html
    assert Job.objects.count() == jobs_before
    client.post(reverse("reperes:sheet", args=["44-NAN"]))  # « Mettre à jour la fiche maintenant »
    assert Job.objects.filter(kind="reperes.build_sheets", status="pending").exists()


def test_missing_sheet_page_says_so_and_a_get_never_builds(client, catalogue):
    response = client.get(reverse("reperes:sheet", args=["49-ANG"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "en préparation" in html and "Mettre à jour la fiche maintenant" in html
    assert not Job.objects.filter(kind="reperes.build_sheets").exists()
    assert client.post(reverse("reperes:sheet", args=["49-ANG"])).status_code == 302
    client.post(reverse("reperes:sheet", args=["49-ANG"]))
    assert Job.objects.filter(kind="reperes.build_sheets").count() == 1  # the pending build is shared
    html = client.get(reverse("reperes:sheet", args=["49-ANG"])).content.decode()
    assert "Mettre à jour la fiche maintenant" not in html  # the pending build is shown instead


def _sheet_page_queries(client, url) -> tuple[int, int]:
    """Queries of the page when its body is rendered, then when it is served from the cache."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and "<svg" in response.content.decode()
        counts.append(len(queries))
    return tuple(counts)


def test_sheet_page_query_count_does_not_grow_with_data(catalogue, geo, nantes, client_for):
    member = client_for("member")
    url = reverse("reperes:sheet", args=["44-NAN"])
    load_values([geo["a"].code], ["2024"])
    build_sheet(nantes, Sheet.Audience.MEMBERS)
    member.get(reverse("home"))  # warm caches (session, DSFR config)
    small = _sheet_page_queries(member, url)
    communes = list(Commune.objects.filter(territory=nantes).values_list("code", flat=True))
    load_values(communes, [str(y) for y in range(2016, 2026)])
    build_sheet(nantes, Sheet.Audience.MEMBERS)  # a new build: a new body, rendered at the next request
    # In the test's transaction, every write renews the keys of what it already wrote (accounts, memberships): warm
    # the person's cached account again, as before the first measure.
    member.get(reverse("home"))
    assert _sheet_page_queries(member, url) == small
    assert member.get(url).content.decode().count("<svg") >= 2  # chart and map
    # Served from the cache: the snapshot is not read (the first request also cached the reader's positions).
    assert small[1] < small[0]
    with CaptureQueriesContext(connection) as queries:
        member.get(url)
    assert not [q for q in queries.captured_queries if '"snapshot"' in q["sql"] and "key_figures" not in q["sql"]]


def test_sheet_page_body_follows_the_built_sheet_and_the_map_choice(catalogue, geo, nantes, client):
    load_values([geo["a"].code, geo["b"].code], ["2024"])
    build_sheet(nantes, Sheet.Audience.PUBLIC)
    url = reverse("reperes:sheet", args=["44-NAN"])
    assert "Actifs (2024) par commune" not in client.get(url).content.decode()
    assert "Actifs (2024) par commune" in client.get(url, {"carte": "act"}).content.decode()
    assert "Actifs (2025)" not in client.get(url, {"carte": "act"}).content.decode()
    load_values([geo["a"].code, geo["b"].code], ["2025"])
    build_sheet(nantes, Sheet.Audience.PUBLIC)
    assert "Actifs (2025) par commune" in client.get(url, {"carte": "act"}).content.decode()
    # An unknown indicator shows the default map; only the page as it opens is kept in the cache.
    unknown = client.get(url, {"carte": "inconnu"}).content.decode()
    assert "Actifs (2025) par commune" not in unknown and "<svg" in unknown
    assert "Actifs (2025) par commune" not in client.get(url).content.decode()


def test_map_of_a_chosen_indicator_with_its_list(catalogue, geo, nantes, client):
    load_values([geo["a"].code, geo["b"].code], ["2024"])
    build_sheet(nantes, Sheet.Audience.PUBLIC)
    html = client.get(reverse("reperes:sheet", args=["44-NAN"]), {"carte": "act"}).content.decode()
    assert "Actifs (2024) par commune" in html
    assert geo["b"].name.replace("'", "&#x27;") in html


def test_territory_page_panel_shows_key_figures_and_link(catalogue, geo, nantes, client):
    load_values([geo["a"].code], ["2024"])
    build_sheet(nantes, Sheet.Audience.PUBLIC)
    html = client.get(reverse("territories:detail", args=["44-NAN"])).content.decode()
    assert "Repères territoriaux" in html and reverse("reperes:sheet", args=["44-NAN"]) in html
    assert "Population municipale" in html


def test_demo_data_is_labelled(catalogue, geo, nantes, client):
    from reperes.models import Indicator

    Indicator.objects.filter(code="emp").update(is_demo=True)
    load_values([geo["a"].code], ["2024"])
    build_sheet(nantes, Sheet.Audience.PUBLIC)
    html = client.get(reverse("reperes:sheet", args=["44-NAN"])).content.decode()
    assert "données de démonstration" in html
