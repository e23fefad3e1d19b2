import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from roadmaps.importers import HEADERS, validate_recommendations
from roadmaps.models import Recommendation

pytestmark = pytest.mark.django_db

GOOD = (
    "code;titre;texte;fiche_ambition;evolution;codes_rome;divisions_naf;sections_naf;territoires;publics;places_cibles\n"
    "P-001;Rénovation énergétique;Texte;F2.1;développer;F1603, F1613;43;F;44-NAN, 49-ANG;demandeurs d'emploi;1 250,5\n"
    "P-002;Soudage naval;;F1.2;Créer;H2913;30;;;jeunes;\n"
)
BAD = (
    "code;titre;texte;fiche_ambition;evolution;codes_rome;divisions_naf;sections_naf;territoires;publics;places_cibles\n"
    "P-001;Rénovation;;F2.1;développer;Z9999;43;F;44-NAN;;\n"
    "P-001;Doublon;;F9.9;inventer;F1603;00;Z;99-XXX;martiens;douze\n"
)


def upload(client, content: bytes, name="preconisations.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("roadmaps:recommendation_import"), {"file": SimpleUploadedFile(name, content)})


def test_errors_listed_by_line_and_column_and_nothing_changed(staff_client):
    response = upload(staff_client, BAD.encode())
    assert response.status_code == 400
    errors = {(e.line, e.column) for e in response.context["result"].errors}
    assert (2, "codes_rome") in errors
    assert {
        (3, "code"),
        (3, "fiche_ambition"),
        (3, "evolution"),
        (3, "divisions_naf"),
        (3, "sections_naf"),
        (3, "territoires"),
        (3, "publics"),
        (3, "places_cibles"),
    } <= errors
    page = response.content.decode()
    assert "Z9999" in page and "aucune donnée n’a été modifiée" in page
    assert Recommendation.objects.count() == 0


def test_good_file_dry_run_then_apply_then_idempotent(staff_client):
    response = upload(staff_client, ("\ufeff" + GOOD).encode("utf-8"))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.created == ["P-001", "P-002"] and result.encoding == "UTF-8 (BOM)" and result.delimiter == ";"
    assert Recommendation.objects.count() == 0  # dry run writes nothing
    token = response.context["token"]
    response = staff_client.post(reverse("roadmaps:recommendation_import_confirm"), {"token": token})
    assert response.status_code == 302
    rec = Recommendation.objects.get(code="P-001")
    assert float(rec.target_places) == pytest.approx(1250.5)
    assert sorted(t.code for t in rec.territories.all()) == ["44-NAN", "49-ANG"]
    assert sorted(r.code for r in rec.rome_codes.all()) == ["F1603", "F1613"]
    assert rec.target_publics == ["demandeurs_emploi"] and rec.evolution == "develop"
    assert Recommendation.objects.get(code="P-002").territories.count() == 0  # regional
    again = validate_recommendations(GOOD.encode(), "x.csv")
    assert again.unchanged == ["P-001", "P-002"] and not again.created and not again.updated
    changed = validate_recommendations(GOOD.replace("Soudage naval", "Soudage").encode(), "x.csv")
    assert changed.updated == ["P-002"]


def test_windows_1252_comma_delimiter_and_header_on_line_2():
    text = "Fichier des préconisations\n" + GOOD.replace(";", ",").replace("F1603, F1613", '"F1603 | F1613"').replace(
        "44-NAN, 49-ANG", '"44-NAN | 49-ANG"'
    ).replace("1 250,5", '"1 250,5"')
    result = validate_recommendations(text.encode("cp1252"), "x.csv")
    assert result.errors == [] and result.encoding == "Windows-1252" and result.delimiter == ","
    assert len(result.rows) == 2 and result.rows[0].line == 3


def test_xlsx_and_unknown_delimiter():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["P-010", "Titre", "", "F2.1", "adapter", "F1603", "", "", "", "", 12.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = validate_recommendations(buffer.getvalue(), "x.xlsx")
    assert result.is_valid and result.rows[0].places == pytest.approx(12.5)
    broken = validate_recommendations(b"code#titre#fiche_ambition#evolution\nP#T#F2.1#creer\n", "x.csv")
    assert broken.errors and "colonne" in broken.errors[0].message


def test_template_downloads(staff_client):
    csv = staff_client.get(reverse("roadmaps:import_template", args=["csv"]))
    assert csv.content.decode("utf-8-sig").startswith("code;titre")
    assert validate_recommendations(csv.content, "modele.csv").is_valid
    xlsx = staff_client.get(reverse("roadmaps:import_template", args=["xlsx"]))
    assert validate_recommendations(xlsx.content, "modele.xlsx").is_valid


def test_example_file_goes_through_the_importer():
    from roadmaps.demo import load_example_recommendations

    counts = load_example_recommendations()
    assert 60 <= counts["created"] <= 80
    assert Recommendation.objects.filter(is_example=True).count() == counts["created"]
    assert load_example_recommendations()["created"] == 0


def test_large_file_runs_as_a_background_job(staff_client, django_capture_on_commit_callbacks, settings):
    import roadmaps.importers as importers

    lines = [GOOD.splitlines()[0]] + [f"L-{i:04d};Titre {i};;F2.1;maintenir;F1603;;;;;" for i in range(450)]
    response = upload(staff_client, "\n".join(lines).encode())
    assert response.status_code == 200 and response.context["result"].is_large
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("roadmaps:recommendation_import_confirm"), {"token": response.context["token"]}
        )
    assert "/taches/" in response["Location"] or response.status_code == 302
    assert Recommendation.objects.filter(code__startswith="L-").count() == 450
    assert importers.BACKGROUND_THRESHOLD < 450


def test_reference_loading_is_idempotent():
    from roadmaps.models import NafDivision, NafSection, RomeCode, RomeDomain
    from roadmaps.reference import load_reference

    load_reference()  # a second run (the session setup ran it once) changes nothing
    assert (RomeDomain.objects.count(), RomeCode.objects.count()) == (14, 1584)
    assert (NafSection.objects.count(), NafDivision.objects.count()) == (21, 88)


def test_staff_edits_referential_and_it_survives_reload(staff_client):
    from roadmaps.models import Challenge
    from roadmaps.reference import load_reference

    challenge = Challenge.objects.get(code="E1")
    response = staff_client.post(
        reverse("roadmaps:referential_edit", args=["enjeux", challenge.pk]),
        {"code": "E1", "title": "Transition écologique et énergétique", "description": "", "order": 1},
    )
    assert response.status_code == 302
    load_reference()
    assert Challenge.objects.get(code="E1").title == "Transition écologique et énergétique"
