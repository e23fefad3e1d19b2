from decimal import Decimal

import pytest

from reperes.importers import validate_file
from reperes.models import ImportBatch, Level, Observation
from tests.reperes.conftest import import_file, make_csv

pytestmark = pytest.mark.django_db

HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def errors_of(result):
    return {(e.line, e.column): e.message for e in result.errors}


def test_every_error_is_listed_by_line_and_column_and_nothing_is_written(catalogue, geo):
    before = Observation.objects.count()
    data = make_csv(
        [
            HEADER,
            ["emp", "commune", "44109", "2024", "12"],  # line 2: fine
            ["inconnu", "commune", "44109", "2024", "1"],  # line 3: unknown indicator
            ["emp", "commune", "99999", "2024", "1"],  # line 4: unknown commune
            ["emp", "commune", "44109", "2024", "douze"],  # line 5: not a number (and not a duplicate)
            ["emp", "commune", "44109", "2024", "13"],  # line 6: duplicate of line 2
            ["emp", "canton", "44109", "2024", "1"],  # line 7: unknown level
            ["emp", "commune", "44109", "24", "1"],  # line 8: bad period
            ["taux", "territoire", "44-NAN", "2024", "9,5"],  # line 9: ratio computed by the portal
        ]
    )
    result = validate_file(data, "valeurs.csv")
    found = errors_of(result)
    assert set(found) == {
        (3, "indicateur"),
        (4, "code_geo"),
        (5, "valeur"),
        (6, "valeur"),
        (7, "niveau"),
        (8, "periode"),
        (9, "indicateur"),
    }
    assert "inconnu" in found[(3, "indicateur")]
    assert "99999" in found[(4, "code_geo")]
    assert "déjà donnée ligne 2" in found[(6, "valeur")]
    assert "calculé par le portail" in found[(9, "indicateur")]
    assert not result.is_valid

    # Applying such a file through the job writes nothing either.
    from reperes.services import ReperesError, apply_import, create_batch

    batch = create_batch(user=None, data=data, filename="valeurs.csv", format="long", options={})
    with pytest.raises(ReperesError):
        apply_import(batch=batch, queue_sheets=False)
    assert Observation.objects.count() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


def test_decimal_comma_bom_thousands_separators_and_cp1252(catalogue, geo):
    data = make_csv(
        [
            ["Indicateur", "Niveau", "Code géo", "Période", "Valeur"],
            ["emp", "Commune", "44109", "2024", "1 234,5"],
            ["act", "Département", "44", "2024", "1\u00a0500\u00a0000"],
            ["emp", "Région", "52", "2023-03", "2,25"],
        ],
        encoding="cp1252",
    )
    result = validate_file(data, "valeurs.csv")
    assert result.errors == []
    assert result.encoding == "Windows-1252"
    values = {(v.code, v.period): v.value for v in result.values}
    assert values == {
        ("44109", "2024"): Decimal("1234.5"),
        ("44", "2024"): Decimal("1500000"),
        ("52", "2023-03"): Decimal("2.25"),
    }
    bom = make_csv([HEADER, ["emp", "commune", "44109", "2024", "3,5"]], bom=True, sep=",")
    bom = bom.replace(b",3,5", b',"3,5"')
    result = validate_file(bom, "valeurs.csv")
    assert result.errors == [] and result.encoding == "UTF-8 (BOM)" and result.values[0].value == Decimal("3.5")


def test_commune_codes_lose_no_leading_zero_and_empty_cells_are_skipped(catalogue):
    data = make_csv([HEADER, ["emp", "commune", "44109", "2024", ""], ["emp", "commune", "44109", "2025", "4"]])
    result = validate_file(data, "v.csv")
    assert result.errors == [] and len(result.values) == 1


def test_wide_format_one_column_per_indicator_mapped_in_the_form(catalogue, geo):
    data = make_csv(
        [
            ["CODGEO", "annee", "Emplois salariés", "act", "commentaire"],
            ["44109", "2024", "100", "1000", "x"],
            ["49007", "2024", "30", "600", "y"],
        ]
    )
    options = {"level": "commune", "columns": "Emplois salariés = emp\ncommentaire = -"}
    result = validate_file(data, "large.csv", format=ImportBatch.Format.WIDE_INDICATORS, options=options)
    assert result.errors == []
    assert {(v.code, v.indicator_id, v.value) for v in result.values} == {
        ("44109", catalogue["emp"].pk, Decimal("100")),
        ("44109", catalogue["act"].pk, Decimal("1000")),
        ("49007", catalogue["emp"].pk, Decimal("30")),
        ("49007", catalogue["act"].pk, Decimal("600")),
    }
    # Without the mapping, the unknown columns are errors on the header line.
    result = validate_file(data, "large.csv", format=ImportBatch.Format.WIDE_INDICATORS, options={"level": "commune"})
    assert {(e.line, e.column) for e in result.errors} == {(1, "emplois_salaries"), (1, "commentaire")}


def test_wide_format_one_column_per_period_from_xlsx(catalogue, geo):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code_geo", "niveau", 2023, "2024"])
    sheet.append(["44109", "commune", 10, 11.5])
    sheet.append(["44", "departement", 100, 120])
    buffer = io.BytesIO()
    workbook.save(buffer)
    options = {"indicator": "emp"}
    result = validate_file(buffer.getvalue(), "periodes.xlsx", format=ImportBatch.Format.WIDE_PERIODS, options=options)
    assert result.errors == []
    assert {(v.level, v.code, v.period, v.value) for v in result.values} == {
        (Level.COMMUNE, "44109", "2023", Decimal("10")),
        (Level.COMMUNE, "44109", "2024", Decimal("11.5")),
        (Level.DEPARTEMENT, "44", "2023", Decimal("100")),
        (Level.DEPARTEMENT, "44", "2024", Decimal("120")),
    }


def test_import_counts_created_and_updated_values(catalogue, geo):
    first = import_file(make_csv([HEADER, ["emp", "commune", "44109", "2024", "1"]]))
    assert (first.created_count, first.updated_count) == (1, 0)
    second = import_file(
        make_csv([HEADER, ["emp", "commune", "44109", "2024", "2"], ["emp", "commune", "44109", "2025", "3"]])
    )
    assert (second.created_count, second.updated_count) == (1, 1)
    assert Observation.objects.get(indicator=catalogue["emp"], code="44109", period="2024").value == 2
