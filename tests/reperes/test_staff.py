"""Staff journey: a file with mistakes (nothing changes), then a correct file applied by a job, history, rollback."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reperes.models import ImportBatch, Indicator, Level, Observation, Sheet
from reperes.sheets import build_sheets
from tests.reperes.conftest import make_csv

pytestmark = pytest.mark.django_db

HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def upload(client, rows, name="valeurs.csv", **extra):
    data = {"file": SimpleUploadedFile(name, make_csv(rows)), "format": "long", **extra}
    return client.post(reverse("reperes_staff:import_new"), data)


def test_import_with_mistakes_then_correct_file_then_rollback(
    staff_client, catalogue, geo, django_capture_on_commit_callbacks
):
    build_sheets(territory_codes=["44-NAN"])
    before = Observation.objects.count()
    response = upload(
        staff_client, [HEADER, ["emp", "commune", "44109", "2024", "1O"], ["xx", "commune", "44109", "2024", "1"]]
    )
    html = response.content.decode()
    assert response.status_code == 400  # one status for an invalid file, on every import
    assert "2 erreurs : aucune donnée n’a été modifiée" in html
    assert "n’est pas un nombre" in html
    assert Observation.objects.count() == before and not ImportBatch.objects.exists()

    response = upload(
        staff_client, [HEADER, ["emp", "commune", "44109", "2024", "120"], ["act", "commune", "44109", "2024", "1000"]]
    )
    assert "Fichier valide" in response.content.decode()
    context = response.context
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("reperes_staff:import_confirm"),
            {"token": context["token"], "format": context["format"], "options": context["options_json"]},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.status == ImportBatch.Status.APPLIED and batch.value_count == 2 and batch.created_by is not None
    assert Observation.objects.get(indicator__code="taux", level=Level.REGION, code="52").value == 12
    detail = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "Annuler cet import" in detail and "srefop-progress" not in detail  # job finished
    sheet = Sheet.objects.get(territory__code="44-NAN", audience="public")
    assert not sheet.stale and any(f["code"] == "taux" for f in sheet.snapshot["figures"])
    history = staff_client.get(reverse("reperes_staff:import_list")).content.decode()
    assert "valeurs.csv" in history

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("reperes_staff:import_rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.rolled_back
    assert not Observation.objects.filter(indicator__code__in=["emp", "taux"]).exists()


def test_staff_edits_the_catalogue(staff_client, catalogue):
    url = reverse("reperes_staff:indicator_create")
    data = {
        "code": "ratio_sans_parts",
        "label": "Rapport incomplet",
        "theme": "emploi",
        "unit": "%",
        "decimals": 1,
        "rule": "ratio",
        "factor": "100",
        "order": 5,
        "is_public": "on",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 400 and "numérateur" in response.content.decode()
    assert not Indicator.objects.filter(code="ratio_sans_parts").exists()
    data.update(numerator=catalogue["emp"].pk, denominator=catalogue["act"].pk)
    assert staff_client.post(url, data).status_code == 302
    edit = reverse("reperes_staff:indicator_edit", args=[catalogue["emp"].pk])
    assert staff_client.get(edit).status_code == 200
