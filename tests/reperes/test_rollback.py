"""Rolling an import back: created values go, replaced values come back, later imports keep theirs."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reperes.models import ImportBatch, Level, Observation, ReplacedObservation, Sheet
from reperes.services import ReperesError, apply_import, create_batch, roll_back_import
from reperes.sheets import build_sheets
from srefop_portal.common.models import Job
from tests.reperes.conftest import LONG_HEADER, first_import, import_file, make_csv, row, value

pytestmark = pytest.mark.django_db

HEADER = LONG_HEADER


def emp_file(*values, period="2024"):
    """An import of « emp » for the given (commune code, value) pairs."""
    return import_file(make_csv([HEADER, *[["emp", "commune", code, period, v] for code, v in values]]))


@pytest.fixture
def first(catalogue, geo):
    return first_import(geo)


def test_roll_back_puts_replaced_values_back_and_deletes_created_ones(first, geo, staff_user):
    a, b = geo["a"].code, geo["b"].code
    correction = import_file(
        make_csv(
            [
                HEADER,
                ["emp", "commune", a, "2024", 110],
                ["emp", "commune", b, "2024", 55],
                ["emp", "commune", a, "2025", 7],
            ]
        )
    )
    assert correction.updated_count == 2 and correction.created_count == 1
    assert value("emp", Level.REGION, "52") == 195  # 110 + 55 + 30
    assert ReplacedObservation.objects.filter(batch=correction).count() == 2

    summary = roll_back_import(batch=correction, user=staff_user)

    assert summary == {
        "deleted": 1,
        "restored": 2,
        "kept": 0,
        "message": "Annulé : 1\u00a0valeur supprimée, 2\u00a0valeurs rétablies.",
    }
    restored = row("emp", Level.COMMUNE, a)
    assert restored.value == 100 and restored.batch_id == first.pk and not restored.is_computed
    assert value("emp", Level.COMMUNE, b) == 50
    assert not Observation.objects.filter(indicator__code="emp", period="2025").exists()
    # Aggregates are computed again from the restored values, ratios included.
    assert value("emp", Level.REGION, "52") == 180
    assert value("taux", Level.REGION, "52") == Decimal("9.0000")  # 180 / 2000 × 100
    assert not Observation.objects.filter(indicator__code="taux", period="2025").exists()
    correction.refresh_from_db()
    assert correction.status == ImportBatch.Status.ROLLED_BACK and correction.rolled_back_by == staff_user


def test_a_later_import_keeps_its_values_and_its_own_roll_back_skips_the_rolled_back_one(first, geo, staff_user):
    a, b = geo["a"].code, geo["b"].code
    middle = import_file(
        make_csv(
            [
                HEADER,
                ["emp", "commune", a, "2024", 111],
                ["emp", "commune", b, "2024", 51],
                ["emp", "commune", a, "2025", 5],  # created by the middle import
            ]
        )
    )
    later = import_file(
        make_csv([HEADER, ["emp", "commune", a, "2024", 222], ["emp", "commune", a, "2025", 6]])
    )  # replaces two of the middle import's values

    summary = roll_back_import(batch=middle, user=staff_user)

    assert summary["restored"] == 1 and summary["deleted"] == 0 and summary["kept"] == 2
    assert "2\u00a0valeurs modifiées depuis par un import plus récent, conservées" in summary["message"]
    assert value("emp", Level.COMMUNE, b) == 50  # back to the first import's value
    assert row("emp", Level.COMMUNE, a).batch_id == later.pk and value("emp", Level.COMMUNE, a) == 222
    assert value("emp", Level.COMMUNE, a, "2025") == 6
    assert value("emp", Level.REGION, "52") == 222 + 50 + 30

    # Rolling the later import back now leads to what was there before the middle one.
    summary = roll_back_import(batch=later, user=staff_user)
    assert summary["restored"] == 1 and summary["deleted"] == 1 and summary["kept"] == 0
    restored = row("emp", Level.COMMUNE, a)
    assert restored.value == 100 and restored.batch_id == first.pk
    assert not Observation.objects.filter(indicator__code="emp", period="2025").exists()
    assert value("emp", Level.REGION, "52") == 180


def test_rolling_back_the_first_import_after_a_later_one(first, geo, staff_user):
    a = geo["a"].code
    later = emp_file((a, 120))
    summary = roll_back_import(batch=first, user=staff_user)
    assert summary["deleted"] == 5 and summary["restored"] == 0 and summary["kept"] == 1
    assert value("emp", Level.COMMUNE, a) == 120  # the later value stays
    assert value("emp", Level.REGION, "52") == 120
    # The first import had created that value: rolling the later one back removes it.
    roll_back_import(batch=later, user=staff_user)
    assert not Observation.objects.filter(indicator__code="emp", level=Level.COMMUNE).exists()
    assert not Observation.objects.filter(indicator__code="emp", level=Level.REGION).exists()


def test_a_computed_value_replaced_by_an_import_is_computed_again(first, staff_user):
    upper = import_file(make_csv([HEADER, ["emp", "departement", "44", "2024", 160]]))
    assert not row("emp", Level.DEPARTEMENT, "44").is_computed
    assert not ReplacedObservation.objects.filter(batch=upper).exists()  # a computed value is not kept
    roll_back_import(batch=upper, user=staff_user)
    computed = row("emp", Level.DEPARTEMENT, "44")
    assert computed.value == 150 and computed.is_computed


def test_an_import_applied_before_values_were_kept_is_refused_with_a_reason(first, geo, staff_user, staff_client):
    legacy = emp_file((geo["a"].code, 130))
    ReplacedObservation.objects.filter(batch=legacy).delete()
    ImportBatch.objects.filter(pk=legacy.pk).update(keeps_replaced_values=False)
    legacy.refresh_from_db()
    before = sorted(Observation.objects.values_list("indicator_id", "level", "code", "period", "value", "batch_id"))
    with pytest.raises(ReperesError, match="avant que le portail ne conserve les valeurs remplacées"):
        roll_back_import(batch=legacy, user=staff_user)
    assert (
        sorted(Observation.objects.values_list("indicator_id", "level", "code", "period", "value", "batch_id"))
        == before
    )
    legacy.refresh_from_db()
    assert legacy.status == ImportBatch.Status.APPLIED and not legacy.rolled_back
    page = staff_client.get(legacy.get_absolute_url()).content.decode()
    assert "Annuler cet import" not in page and "ne peut pas être annulé" in page
    response = staff_client.post(reverse("reperes_staff:import_rollback", args=[legacy.pk]), follow=True)
    assert "l’annuler les supprimerait au lieu de les rétablir" in response.content.decode()
    # An earlier import that replaced nothing can still be rolled back exactly.
    ImportBatch.objects.filter(pk=first.pk).update(keeps_replaced_values=False)
    first.refresh_from_db()
    assert first.can_roll_back


def test_roll_back_from_the_page_rebuilds_the_sheets(first, geo, staff_client, django_capture_on_commit_callbacks):
    build_sheets(territory_codes=["44-NAN"])
    sheet = Sheet.objects.get(territory__code="44-NAN", audience="public")

    def emp_figure():
        sheet.refresh_from_db()
        return next(f["value"] for f in sheet.snapshot["figures"] if f["code"] == "emp")

    assert emp_figure() == 150
    correction = create_batch(
        user=None,
        data=make_csv([HEADER, ["emp", "commune", geo["a"].code, "2024", 140]]),
        filename="c.csv",
        format="long",
        options={},
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(batch=correction)  # queues the sheets, as the background job does
    assert emp_figure() == 190 and not sheet.stale
    with django_capture_on_commit_callbacks(execute=True):  # the roll-back job, then the sheets it queues
        response = staff_client.post(reverse("reperes_staff:import_rollback", args=[correction.pk]))
    assert response.status_code == 302 and response["Location"] == correction.get_absolute_url()
    page = staff_client.get(correction.get_absolute_url()).content.decode()
    assert "Annulé : 0\u00a0valeur supprimée, 1\u00a0valeur rétablie." in page
    assert "fiches repères en cours de mise à jour" in page
    assert Job.objects.filter(kind="reperes.build_sheets").exists()
    assert emp_figure() == 150 and not sheet.stale
