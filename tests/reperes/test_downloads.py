import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reperes.models import Indicator, Sheet
from reperes.sheets import build_sheet
from srefop_portal.common.models import Job
from territories.models import Territory
from tests.reperes.conftest import import_file, make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(catalogue, geo):
    Indicator.objects.filter(code="emp").update(is_demo=True)
    rows = [["indicateur", "niveau", "code_geo", "periode", "valeur"]]
    for year in ("2023", "2024"):
        rows += [
            ["emp", "commune", geo["a"].code, year, "=1+1" if False else 120],
            ["act", "commune", geo["a"].code, year, 1000],
        ]
    import_file(make_csv(rows))
    return build_sheet(Territory.objects.get(code="44-NAN"), Sheet.Audience.PUBLIC)


def test_sheet_data_as_csv_and_xlsx(built, client):
    response = client.get(reverse("reperes:sheet_data", args=["44-NAN", "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Indicateur (code);Indicateur" in text and "emp;Emplois;emplois;2024;120;" in text  # no spurious .0
    response = client.get(reverse("reperes:sheet_data", args=["44-NAN", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Indicateur (code)" and any(r[0] == "taux" and r[3] == "2024" for r in rows)
    assert client.get(reverse("reperes:sheet_data", args=["44-NAN", "pdf"])).status_code == 404


def test_comparison_data_as_csv_and_xlsx(built, client):
    response = client.get(reverse("reperes:compare_data", args=["csv"]), {"indicateur": "population"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rang;Code du territoire") and len(lines) == 19
    assert lines[1].startswith("1;")
    response = client.get(reverse("reperes:compare_data", args=["xlsx"]), {"indicateur": "population"})
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 19


def test_comparison_page_ranks_the_18_territories_with_the_regional_map(built, client):
    html = client.get(reverse("reperes:compare"), {"indicateur": "population"}).content.decode()
    assert html.count('href="/reperes/territoires/') >= 18
    assert "carte-territoires" in html and "Population municipale (2026) par territoire EFOP" in html


def test_sheet_pdf_is_built_in_background_and_served_when_unchanged(built, client, django_capture_on_commit_callbacks):
    url = reverse("reperes:sheet_pdf", args=["44-NAN"])
    response = client.get(url)
    assert response.status_code == 200 and "Produire le PDF" in response.content.decode()
    assert not Job.objects.filter(kind="reperes.sheet_pdf").exists()  # a GET never builds
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    job = Job.objects.get(kind="reperes.sheet_pdf")
    assert job.status == "done" and job.fingerprint.startswith(built.fingerprint)
    response = client.get(url)  # served at once, not rebuilt
    assert response["Content-Type"] == "application/pdf"
    assert Job.objects.filter(kind="reperes.sheet_pdf").count() == 1
    pdf = b"".join(response.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Fiche repères — Nantes" in text
    assert "données de démonstration" in text
    assert "Taux d’emploi" in text or "Taux d'emploi" in text
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Fiche repères — Nantes" in info and "Carif-Oref" in info and "Tagged:          yes" in info
