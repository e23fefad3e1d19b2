"""Figures follow the geography: after an EPCI (or a commune) moves, the population of both territories on their
page, their repères sheet and their next report equal the sum of their communes; meanwhile pages say « mise à jour
en cours »; the report fingerprint changes."""

import pytest
from django.db.models import Sum
from django.urls import reverse

from reperes.models import Level, Observation, Sheet
from reperes.reference import POPULATION_CODE
from reperes.sheets import build_sheet
from srefop_portal.common.charts import fr_number
from srefop_portal.common.models import Job
from territories import services
from territories.models import Commune, Epci, Territory

pytestmark = pytest.mark.django_db


def commune_sum(territory) -> int:
    return Commune.objects.filter(territory=territory).aggregate(total=Sum("population"))["total"]


def aggregated(territory) -> int:
    rows = Observation.objects.filter(indicator__code=POPULATION_CODE, level=Level.TERRITORY, code=territory.code)
    return int(rows.order_by("-period").values_list("value", flat=True).first())


def sheet_population(territory) -> float:
    sheet = Sheet.objects.get(territory=territory, audience=Sheet.Audience.PUBLIC)
    figure = next(f for f in sheet.snapshot["figures"] if f["code"] == POPULATION_CODE)
    return figure["value"]


@pytest.fixture
def clisson():
    """« CA Clisson Sèvre et Maine Agglo », in Nantes' territory, and the Pays de Retz to move it to."""
    epci = Epci.objects.get(name__icontains="Clisson")
    source = Territory.objects.get(pk=Commune.objects.filter(epci=epci).values_list("territory", flat=True)[0])
    target = Territory.objects.filter(departement=source.departement, name__icontains="Retz").first()
    assert target is not None and target != source
    for territory in (source, target):
        build_sheet(territory, Sheet.Audience.PUBLIC)
    return epci, source, target


def test_moving_an_epci_rebuilds_figures_sheets_and_report_of_both_territories(
    clisson, staff_user, client, django_capture_on_commit_callbacks
):
    from clefop.models import Body, BodyKind
    from roadmaps.reports.data import collect, fingerprint

    epci, source, target = clisson
    before = {t.code: commune_sum(t) for t in (source, target)}
    assert {t.code: aggregated(t) for t in (source, target)} == before
    body = Body.objects.get(kind=BodyKind.CLEFOP, territory=target)
    report_before = fingerprint(collect(body))

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move_epci(epci=epci, territory=target, user=staff_user, reason="Test")
    assert moved > 0
    job = Job.objects.get(kind="reperes.geography")
    assert job.status == Job.Status.DONE and job.params["territories"] == sorted([source.code, target.code])

    for territory in (source, target):
        expected = commune_sum(territory)
        assert expected != before[territory.code]
        assert aggregated(territory) == expected
        assert sheet_population(territory) == expected
        assert not Sheet.objects.get(territory=territory, audience="public").stale
        page = client.get(reverse("territories:detail", args=[territory.code])).content.decode()
        assert fr_number(expected) in page  # the header and the repères card agree
        sheet_page = client.get(reverse("reperes:sheet", args=[territory.code])).content.decode()
        assert fr_number(expected) in sheet_page and "mise à jour en cours" not in sheet_page
        report = collect(Body.objects.get(kind=BodyKind.CLEFOP, territory=territory))
        figure = next(f for f in report["reperes"]["figures"] if "opulation" in f["label"])
        assert figure["value"].replace("\u202f", " ").startswith(fr_number(expected).replace("\u202f", " "))
    assert fingerprint(collect(body)) != report_before


def test_pages_say_update_in_progress_until_the_rebuild_ran(clisson, staff_user, client):
    epci, source, target = clisson
    services.move_epci(epci=epci, territory=target, user=staff_user)  # the test transaction: nothing ran yet
    for territory in (source, target):
        assert Sheet.objects.get(territory=territory, audience="public").stale
        sheet_page = client.get(reverse("reperes:sheet", args=[territory.code])).content.decode()
        assert "mise à jour en cours" in sheet_page
        page = client.get(reverse("territories:detail", args=[territory.code])).content.decode()
        assert "Mise à jour en cours" in page
    other = Territory.objects.exclude(pk__in=[source.pk, target.pk]).first()
    assert not Sheet.objects.filter(territory=other, stale=True).exists()
    assert Job.objects.filter(kind="reperes.geography", status="pending").count() == 1


def test_moving_a_commune_and_an_official_file_rebuild_too(clisson, staff_user, django_capture_on_commit_callbacks):
    _epci, source, target = clisson
    commune = Commune.objects.filter(territory=source).order_by("-population").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_commune(commune=commune, territory=target, user=staff_user)
    assert aggregated(source) == commune_sum(source) and aggregated(target) == commune_sum(target)
    assignments = {commune.code: (source.code, source.name)}
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_official_composition(assignments=assignments, user=staff_user, source="test.csv")
    assert aggregated(source) == commune_sum(source) and aggregated(target) == commune_sum(target)
    assert Job.objects.filter(kind="reperes.geography", status="done").count() == 2
