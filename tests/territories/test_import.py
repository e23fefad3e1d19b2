import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.importers import validate_composition_file
from territories.models import Commune, CompositionStatus, Territory

pytestmark = pytest.mark.django_db


def official_rows(overrides=None):
    overrides = overrides or {}
    rows = []
    for code, territory_code, name in Commune.objects.values_list("code", "territory__code", "territory__name"):
        territory_code, name = overrides.get(code, (territory_code, name))
        rows.append((code, territory_code, name))
    return rows


def as_csv(rows, delimiter=";", encoding="utf-8-sig", header=("code_commune", "code_territoire", "nom_territoire")):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_valid_windows_1252_comma_file():
    data = as_csv(official_rows({"44109": ("44-STN", "Saint-Nazaire")}), delimiter=",", encoding="cp1252")
    result = validate_composition_file(data, "territoires.csv")
    assert result.errors == []
    assert result.encoding == "Windows-1252" and result.delimiter == ","
    assert result.moves == 1


def test_errors_are_listed_by_line_and_nothing_is_written(staff_client):
    rows = official_rows()
    rows[3] = ("99999", "44-NAN", "Nantes")
    rows[5] = (rows[4][0], rows[4][1], rows[4][2])
    data = as_csv(rows)
    before = list(Commune.objects.values_list("code", "territory"))
    response = staff_client.post(
        reverse("territories:composition_import"), {"file": SimpleUploadedFile("officiel.csv", data)}
    )
    html = response.content.decode()
    assert "99999" in html and "ligne" not in html.lower() or "Ligne" in html
    result = validate_composition_file(data, "officiel.csv")
    lines = {(e.line, e.column) for e in result.errors}
    assert (5, "code_commune") in lines  # header is line 1
    assert (7, "code_commune") in lines
    assert list(Commune.objects.values_list("code", "territory")) == before
    assert not CompositionStatus.current().is_official


def test_import_applies_in_one_go_and_marks_official(staff_client, django_capture_on_commit_callbacks):
    data = as_csv(official_rows({"85113": ("85-NEW", "Île d'Yeu")}))
    response = staff_client.post(
        reverse("territories:composition_import"), {"file": SimpleUploadedFile("officiel.csv", data)}
    )
    assert response.status_code == 200
    assert response.context["result"].new_territories == {"85-NEW": "Île d'Yeu"}
    assert "territoire à créer" in response.content.decode()
    token = response.context["token"]
    assert token
    # Without the confirmation box, nothing is created nor moved.
    response = staff_client.post(reverse("territories:composition_import_confirm"), {"token": token}, follow=True)
    assert "cochez la case de confirmation" in response.content.decode()
    assert not Territory.objects.filter(code="85-NEW").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("territories:composition_import_confirm"), {"token": token, "create_territories": "1"}
        )
    assert response.status_code == 302  # to the progress page of the background job (1,000+ communes)
    assert "/taches/" in response["Location"]
    assert Commune.objects.get(code="85113").territory.code == "85-NEW"
    assert Territory.objects.get(code="85-NEW").departement.code == "85"
    assert CompositionStatus.current().is_official
    assert "Composition officielle" in staff_client.get(reverse("territories:list")).content.decode()


def test_confirm_with_foreign_token_changes_nothing(staff_client):
    response = staff_client.post(reverse("territories:composition_import_confirm"), {"token": "deadbeef"})
    assert response.status_code == 302
    assert not CompositionStatus.current().is_official


@pytest.mark.parametrize(
    "code, name, expected",
    [
        ("=1+1", "=1+1", "formule"),
        ("44005", "x", "code de territoire valide"),
        ("<b>X</b>", "<b>X</b>", "balise"),
        ("99-ABC", "Ailleurs", "département 99"),
        ("85-NEW", "", "indiquez son nom"),
        ("44-NEW", "Hors département", "département de ses communes"),
    ],
)
def test_a_code_that_is_no_territory_is_never_created_implicitly(staff_client, code, name, expected):
    data = as_csv(official_rows({"85113": (code, name)}))
    before = Territory.objects.count()
    response = staff_client.post(
        reverse("territories:composition_import"), {"file": SimpleUploadedFile("officiel.csv", data)}
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Territory.objects.count() == before
