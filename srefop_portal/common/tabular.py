"""Reading CSV and XLSX files as French administrations send them, and writing safe exports.

- CSV in UTF-8 (with or without BOM) or Windows-1252, delimited by ``;``, ``,`` or tab;
- sometimes a title on line 1 and the header on line 2;
- numbers with a decimal comma and spaces (or non-breaking spaces) as thousands separators.

Line numbers given back are the ones a person sees in a spreadsheet (1-based, header included).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableReadError(Exception):
    """The file cannot be read at all (format, encoding, empty)."""


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        return (self.values.get(column) or default).strip()


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 1
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str
    message: str

    def __str__(self):
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


def normalise_header(value: str) -> str:
    import unicodedata

    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return "_".join(value.strip().lower().replace("-", " ").replace("'", " ").split())


def decode_bytes(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_delimiter(text: str) -> str:
    sample_lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ";", -1
    for candidate in (";", ",", "\t", "|"):
        counts = [line.count(candidate) for line in sample_lines]
        if not counts or max(counts) == 0:
            continue
        # The delimiter appears the same number of times on most lines.
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * 10 + common
        if common > 0 and score > best_score:
            best, best_score = candidate, score
    return best


def _find_header(raw_rows: list[list[str]], expected: set[str] | None) -> int:
    """Index of the header row: the first of the two first rows naming expected columns."""
    for index, cells in enumerate(raw_rows[:3]):
        names = {normalise_header(c) for c in cells if str(c).strip()}
        if expected and names & expected:
            return index
        if not expected and len(names) >= 2:
            return index
    return 0


def read_table(data: bytes, filename: str = "", expected_columns: set[str] | None = None) -> Table:
    """Read a CSV or XLSX file into normalised headers and rows."""
    if not data:
        raise TableReadError("Le fichier est vide.")
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        raw_rows, encoding, delimiter = _read_xlsx(data), "XLSX", ""
    elif name.endswith(".xls"):
        raise TableReadError("Le format .xls n’est pas lu : enregistrez le fichier en .xlsx ou .csv.")
    else:
        text, encoding = decode_bytes(data)
        delimiter = sniff_delimiter(text)
        raw_rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    raw_rows = [[("" if c is None else str(c)) for c in r] for r in raw_rows]
    if not any(any(c.strip() for c in r) for r in raw_rows):
        raise TableReadError("Le fichier ne contient aucune ligne.")
    expected = {normalise_header(c) for c in expected_columns} if expected_columns else None
    header_index = _find_header(raw_rows, expected)
    headers = [normalise_header(h) for h in raw_rows[header_index]]
    rows = []
    for offset, cells in enumerate(raw_rows[header_index + 1 :], start=header_index + 2):
        if not any(c.strip() for c in cells):
            continue
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
        rows.append(Row(line=offset, values=values))
    table = Table(headers=[h for h in headers if h], rows=rows, encoding=encoding, delimiter=delimiter)
    table.header_line = header_index + 1
    return table


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on bad files
        raise TableReadError("Le classeur XLSX ne peut pas être lu (fichier endommagé ?).") from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append([_cell_text(v) for v in values])
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_decimal(value: str) -> Decimal:
    """Parse '1 234,5', '1234.5', '1.234,5', '12 %'. Raises ValueError with a French message."""
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ").replace("%", "").strip()
    if not text:
        raise ValueError("valeur vide")
    text = text.replace(" ", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"« {value} » n’est pas un nombre") from None
    if not number.is_finite():
        raise ValueError(f"« {value} » n’est pas un nombre")
    return number


def neutralise(value):
    """Neutralise spreadsheet formulas in exported text cells."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise("" if v is None else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: list[str], rows, sheet_title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(content: bytes, filename: str, content_type: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, headers: list[str], rows):
    return file_response(csv_bytes(headers, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(filename: str, headers: list[str], rows, sheet_title: str = "Export"):
    return file_response(
        xlsx_bytes(headers, rows, sheet_title),
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
