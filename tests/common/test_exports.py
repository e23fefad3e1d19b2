"""Every export goes through one writer (srefop_portal/common/tabular.py): text cells, headers and sheet names
neutralised and cleaned, numbers and dates typed in XLSX and written the French way in CSV, the same column labels in
both, unknown formats a 404 (issues #14 and #16). The open-data CSV keeps its machine format, checked against its
published Table Schema."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clefop.models import Position
from roadmaps.models import BudgetLine, RoadmapStatus
from srefop_portal.common.tabular import csv_bytes, safe_sheet_title, xlsx_bytes
from tests.clefop.factories import MembershipFactory
from tests.roadmaps.factories import ActionFactory, roadmap_with

EVERY_CONTROL = "".join(chr(c) for c in [*range(0, 32), *range(127, 160)]) + "\ufffe\uffff"
FRENCH_NUMBER = re.compile(r"^-?\d+(,\d+)?$")
FRENCH_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}( \d{2}:\d{2})?$")


def read_french_csv(content: bytes) -> tuple[list[str], list[list]]:
    """As a French spreadsheet reads it: UTF-8 with BOM, « ; », decimal comma, jj/mm/aaaa dates."""
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))

    def value(cell: str):
        if FRENCH_NUMBER.match(cell):
            return Decimal(cell.replace(",", "."))
        if FRENCH_DATE.match(cell):
            return datetime.datetime.strptime(cell, "%d/%m/%Y %H:%M" if " " in cell else "%d/%m/%Y")
        return cell

    return rows[0], [[value(c) for c in row] for row in rows[1:]]


def read_xlsx(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    rows = list(sheet.iter_rows())
    return sheet, [c.value for c in rows[0]], rows[1:]


def test_writer_cleans_every_control_character_and_neutralises_headers_and_sheet_names():
    headers = ["=1+1", f"nom{EVERY_CONTROL}", "@cmd"]
    rows = [[f"a{EVERY_CONTROL}b", "-2+3", 12.0], ["+33 6 12", "\tx", Decimal("10.3468")]]
    content = xlsx_bytes(headers, rows, sheet_title="=HYPERLINK('x')[1]")
    sheet, header_values, data = read_xlsx(content)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    assert header_values[0] == "=1+1" and sheet["A1"].data_type == "s"
    assert sheet.title == "HYPERLINK('x') 1" == safe_sheet_title("=HYPERLINK('x')[1]")
    assert data[0][0].value.startswith("a") and data[0][0].value.endswith("b")
    assert all(ord(c) >= 32 or c in "\t\n\r" for c in data[0][0].value)
    assert data[0][2].data_type == "n" and data[0][2].value == 12
    text = csv_bytes(headers, rows).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("'=1+1;")
    assert "'-2+3" in text and "'+33 6 12" in text and ";12\r\n" in text and "10,3468" in text and "12.0" not in text


def test_machine_csv_keeps_dot_decimal_and_iso_dates():
    text = csv_bytes(["a", "b", "c"], [[Decimal("25000.00"), 10.5, datetime.date(2026, 1, 31)]], machine=True)
    assert text.decode("utf-8-sig").splitlines()[1] == "25000;10.5;2026-01-31"


@pytest.mark.django_db
def test_control_characters_typed_in_forms_do_not_break_the_exports(staff_client, client_for):
    # NUL aside: Django's form fields refuse it and PostgreSQL cannot store it; every other one can be saved.
    typed = EVERY_CONTROL.replace("\x00", "")
    MembershipFactory(user__last_name=f"Nom{typed}", position=Position.MEMBER)
    roadmap = roadmap_with(actions=0)
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, title=f"Titre{typed}")
    response = staff_client.get(reverse("clefop:directory_export"))
    assert response.status_code == 200 and read_xlsx(response.content)
    client = client_for("member")
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("roadmaps:roadmap_export", args=[roadmap.body.slug, roadmap.pk, fmt]))
        assert response.status_code == 200
    xlsx = client.get(reverse("roadmaps:roadmap_export", args=[roadmap.body.slug, roadmap.pk, "xlsx"]))
    assert any(str(c.value).startswith("Titre") for row in read_xlsx(xlsx.content)[2] for c in row)


def _roadmap_with_budget():
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0, plenary_date=datetime.date(2026, 3, 12))
    action = ActionFactory(
        priority=roadmap.priorities.get(),
        roadmap=roadmap,
        progress=35,
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2027, 6, 30),
        restricted=True,
    )
    BudgetLine.objects.create(action=action, year=2026, planned=Decimal("25000"), spent=Decimal("10.35"))
    return roadmap


@pytest.mark.django_db
def test_roadmap_export_reads_right_in_french_spreadsheets(client_for):
    roadmap = _roadmap_with_budget()
    client = client_for("member")
    url = reverse("roadmaps:roadmap_export", args=[roadmap.body.slug, roadmap.pk, "csv"])
    headers, rows = read_french_csv(client.get(url).content)
    sheet, xlsx_headers, xlsx_rows = read_xlsx(client.get(url.replace("export.csv", "export.xlsx")).content)
    assert headers == xlsx_headers  # the same French labels in both
    assert "Diffusion restreinte" in headers and rows[0][headers.index("Diffusion restreinte")] == "oui"
    row = dict(zip(headers, rows[0], strict=True))
    assert row["Budget prévu (€)"] == Decimal("25000") and row["Budget dépensé (€)"] == Decimal("10.35")
    assert row["Avancement (%)"] == 35 and row["Début"] == datetime.datetime(2026, 1, 5)
    cells = dict(zip(xlsx_headers, xlsx_rows[0], strict=True))
    assert cells["Budget prévu (€)"].data_type == "n" and cells["Budget prévu (€)"].value == 25000
    assert cells["Début"].is_date and cells["Début"].value == datetime.datetime(2026, 1, 5)
    assert cells["Date d’adoption"].is_date


@pytest.mark.django_db
def test_directory_and_dispositifs_exports_have_typed_dates(staff_client, client_for):
    MembershipFactory(start_date=datetime.date(2025, 9, 1))
    csv_headers, rows = read_french_csv(staff_client.get(reverse("clefop:directory_export"), {"format": "csv"}).content)
    _sheet, headers, cells = read_xlsx(staff_client.get(reverse("clefop:directory_export")).content)
    assert csv_headers == headers
    dates = [c for c in cells[0] if c.value == datetime.datetime(2025, 9, 1)]
    assert dates and dates[0].is_date
    assert datetime.datetime(2025, 9, 1) in rows[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda r: reverse("roadmaps:roadmap_export", args=[r.body.slug, r.pk, "pdf"]),
        lambda r: reverse("clefop:directory_export") + "?format=pdf",
        lambda r: reverse("offer:dispositif_export") + "?format=pdf",
        lambda r: reverse("reperes:sheet_data", args=["44-NAN", "pdf"]),
    ],
)
def test_unknown_export_format_is_a_404(staff_client, url):
    roadmap = roadmap_with(actions=1)
    assert staff_client.get(url(roadmap)).status_code == 404


@pytest.mark.django_db
def test_open_data_csv_matches_its_published_schema(client_for):
    _roadmap_with_budget()
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, territory="49-ANG", actions=2)
    assert roadmap
    client = client_for("anonymous")
    schema = client.get(reverse("roadmaps:open_data_schema")).json()
    content = client.get(reverse("roadmaps:open_data_csv")).content
    assert content.startswith("\ufeff".encode())
    rows = list(
        csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=schema["dialect"]["delimiter"])
    )
    fields = schema["fields"]
    assert rows[0] == [f["name"] for f in fields]
    assert len(rows) == 1 + 2  # the restricted action is not open data
    checks = {
        "integer": re.compile(r"^-?\d+$"),
        "number": re.compile(r"^-?\d+(\.\d+)?$"),
        "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    }
    for row in rows[1:]:
        for field, cell in zip(fields, row, strict=True):
            constraints = field.get("constraints", {})
            if cell in schema["missingValues"]:
                assert not constraints.get("required"), field["name"]
                continue
            if field["type"] in checks:
                assert checks[field["type"]].match(cell), (field["name"], cell)
            if field["type"] == "date":
                datetime.date.fromisoformat(cell)
            if "enum" in constraints:
                assert cell in constraints["enum"]
            if "maximum" in constraints:
                assert constraints["minimum"] <= int(cell) <= constraints["maximum"]
