"""The one reading layer and the one writing layer for CSV and XLSX files.

Reading (``read_table``), for the five imports, as French administrations send files:

- CSV in UTF-8 (with or without BOM), UTF-16 (with or without BOM), Windows-1252 or Mac OS Roman (told apart from
  the accented letters they produce), delimited by ``;``, ``,``, tab or ``|``; line ends CRLF, LF or CR alone
  (« CSV (Macintosh) »), line breaks allowed inside quoted cells;
- sometimes a title on line 1 and the header on line 2;
- XLSX: the first sheet is read (the others are named in a note); the archive is inspected before openpyxl opens it,
  so that a decompression bomb is refused at once, without growing memory.

Every input that cannot be read becomes a ``TableReadError`` whose message names the problem in French (encoding,
binary content, PDF or ZIP under a CSV/XLSX name, unreadable workbook, too many rows or columns, a control
character with its line and column). Nothing is written by this module: the database never sees those characters.

Line numbers given back are the ones a person sees in a spreadsheet (1-based, header included).

Writing (``csv_bytes``, ``xlsx_bytes`` and their responses), for every export: text cells — headers and sheet names
included — are neutralised (a formula is never evaluated) and cleaned of characters XLSX cannot hold; numbers and
dates are typed cells in XLSX and written the French way in CSV (``;``, decimal comma, no spurious ``.0``, dates
``jj/mm/aaaa``). Open-data files use ``machine=True``: dot decimal and ISO dates, as their published schema states.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

# Bounds, checked before the work they protect (stated in the import forms' help).
MAX_ROWS = 100_000  # data rows
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNCOMPRESSED = 60 * 1024 * 1024  # bytes, all entries of the workbook archive together
MAX_XLSX_ENTRIES = 2_000
MAX_MESSAGE_CHARS = 300  # an error message quoting a long value is cut
MAX_CONTROL_ERRORS = 50  # control characters reported one by one (then counted)

# C0 controls other than tab, LF and CR; DEL; C1 controls; the non-characters XML cannot hold.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
LINE_BREAK_RE = re.compile("[\r\n]")
# A spreadsheet formula typed in a cell (=…, @…, +SOMME(…), -1+1, after a tab or spaces): refused on import, since
# the file then holds what a spreadsheet computed from it, not the values. « -3,5 » or « +33 6 12 » are not formulas.
FORMULA_RE = re.compile(r"^[\t ]*(?:[=@]|[+\-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(|[+\-]\s*[\d.,]+\s*[-+*/^&]\s*\S)")
# What an XLSX cell cannot hold (XML 1.0), replaced by nothing when writing.
XLSX_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x0B: "tabulation verticale",
    0x0C: "saut de page",
    0x1B: "ESC",
    0x7F: "DEL",
}
# Letters of French text: the decoding producing most of them wins (Windows-1252 against Mac OS Roman).
FRENCH_LETTERS = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»’€°")


def fr_int(number: int) -> str:
    """A count in French (« 100 000 », narrow no-break space); never used for line numbers."""
    return f"{number:,}".replace(",", "\u202f")


class TableReadError(Exception):
    """The file cannot be read (format, encoding, bounds, control characters): nothing of it is used.

    ``errors`` lists the problems as ``RowError`` (one, without a line, for a file-level problem)."""

    def __init__(self, message: str = "", *, errors: list[RowError] | None = None):
        self.errors = errors or [RowError(None, "", message)]
        super().__init__(message or str(self.errors[0]))


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


def cut(text: str, limit: int = 80) -> str:
    """A value quoted in a message, cut when long."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str
    message: str

    def __post_init__(self):
        object.__setattr__(self, "message", cut(self.message, MAX_MESSAGE_CHARS))
        object.__setattr__(self, "column", cut(self.column, 80))

    @property
    def line_label(self) -> str:
        """The line number as a spreadsheet shows it: no thousands separator."""
        return str(self.line) if self.line else ""

    def __str__(self):
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


@lru_cache(maxsize=4096)
def normalise_header(value: str) -> str:
    """« Code territoire » → « code_territoire » (also used on values compared by name: cached).
    Both apostrophes separate words: « demandeurs d’emploi » and « demandeurs d'emploi » are the same key."""
    value = str(value or "").replace("’", "'").replace("ʼ", "'")
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "_".join(value.strip().lower().replace("-", " ").replace("'", " ").split())


# ---------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------

BINARY_SIGNATURES = (
    (b"%PDF", "un document PDF"),
    (b"\xd0\xcf\x11\xe0", "un classeur Excel 97-2003 (.xls) ou un fichier protégé par mot de passe"),
    (b"\x1f\x8b", "une archive compressée (gzip)"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"Rar!", "une archive RAR"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"MZ", "un programme"),
    (b"\x7fELF", "un programme"),
    (b"{\\rtf", "un document RTF"),
)


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: in text made of Latin letters, every other byte is NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding. Raises TableReadError naming the problem."""
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise TableReadError(f"Le fichier est {what}, pas un tableau CSV ou XLSX : exportez-le en CSV ou XLSX.")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "UTF-16"
        utf16 = _sniff_utf16(data)
        if utf16:
            return data.decode(utf16), "UTF-16 (sans BOM)"
    except UnicodeDecodeError:
        raise TableReadError(
            "Le fichier se présente comme de l’UTF-16 mais ne peut pas être décodé : enregistrez-le en CSV UTF-8."
        ) from None
    if data.count(0) > 0 and data.count(0) >= max(8, len(data) // 100):
        raise TableReadError(
            "Le fichier contient des données binaires (octets nuls) : ce n’est pas un CSV. "
            "Enregistrez-le en CSV UTF-8 ou en XLSX."
        )
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<head", b"<body")):
        raise TableReadError(
            "Le fichier est une page web (HTML) ou un document XML, pas un tableau CSV : enregistrez-le en CSV ou XLSX."
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for codec, label in (("cp1252", "Windows-1252"), ("mac_roman", "Mac OS Roman")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = sum(1 for char in text if char in FRENCH_LETTERS)
        candidates.append((score, -len(candidates), text, label))
    if not candidates:  # pragma: no cover - mac_roman decodes every byte
        raise TableReadError("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8.")
    _score, _order, text, label = max(candidates)
    return text, label


def sniff_delimiter(text: str) -> str:
    sample_lines = [line for line in text[:65536].splitlines()[:20] if line.strip()]
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


def _too_many_rows() -> TableReadError:
    return TableReadError(
        f"Le fichier compte plus de {fr_int(MAX_ROWS)} lignes, le maximum accepté : découpez-le en plusieurs fichiers."
    )


def _check_width(cells: list[str], line: int) -> list[str]:
    while cells and not str(cells[-1]).strip():
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise TableReadError(
            errors=[
                RowError(
                    line,
                    "",
                    f"{fr_int(len(cells))} colonnes : le maximum accepté est {MAX_COLUMNS}. "
                    "Retirez les colonnes inutiles.",
                )
            ]
        )
    return cells


def _read_csv(data: bytes) -> tuple[list[list[str]], str, str]:
    text, encoding = decode_bytes(data)
    sample = text[:65536]
    if len(CONTROL_RE.findall(sample)) > max(4, len(sample) // 200):
        raise TableReadError(
            "Le fichier contient des données binaires (caractères de contrôle en nombre) : ce n’est pas un CSV. "
            "Enregistrez-le en CSV UTF-8 ou en XLSX."
        )
    delimiter = sniff_delimiter(text)
    # newline="" lets csv see CR, LF and CRLF line ends (and keeps those inside quoted cells).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(_check_width(cells, reader.line_num))
            if len(rows) > MAX_ROWS + 3:
                raise _too_many_rows()
    except csv.Error as exc:
        line = reader.line_num or 1
        if "field larger than field limit" in str(exc):
            message = "cellule trop longue (plus de 131 072 caractères) : le fichier n’est pas un tableau lisible"
        elif "unexpected end of data" in str(exc):
            message = 'guillemet ouvert jamais refermé : vérifiez les guillemets (« " ») de cette ligne'
        else:
            message = (
                "fin de ligne ou guillemet mal placé : le fichier n’est pas un CSV lisible "
                "(enregistrez-le depuis le tableur en « CSV UTF-8 »)"
            )
        raise TableReadError(errors=[RowError(line, "", message)]) from None
    return rows, encoding, delimiter


def inspect_workbook(data: bytes) -> None:
    """Refuse, before openpyxl opens it, an archive that is not a workbook or that expands beyond the bound.

    The sizes declared in the archive are a bound zipfile enforces while reading (it never inflates an entry past
    its declared size), so checking them is enough."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableReadError("Le classeur XLSX est endommagé (archive illisible) : enregistrez-le à nouveau.") from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names or "content.xml" in names:
            what = "un document OpenDocument (.ods/.odt)"
        elif "word/document.xml" in names:
            what = "un document Word"
        else:
            what = "une archive ZIP"
        raise TableReadError(f"Le fichier est {what}, pas un classeur XLSX : enregistrez-le en XLSX ou en CSV.")
    if len(entries) > MAX_XLSX_ENTRIES:
        raise TableReadError("Le classeur XLSX compte trop d’éléments internes pour être lu.")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_XLSX_UNCOMPRESSED:
        raise TableReadError(
            f"Le classeur XLSX occupe {fr_int(expanded // (1024 * 1024))} Mo une fois décompressé : le maximum "
            f"accepté est {MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} Mo. Découpez-le ou enregistrez-le en CSV."
        )


def _read_xlsx(data: bytes) -> tuple[list[list[str]], list[str]]:
    inspect_workbook(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on bad files
        raise TableReadError("Le classeur XLSX ne peut pas être lu (fichier endommagé ?).") from exc
    notes = []
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise TableReadError("Le classeur XLSX ne contient aucune feuille.")
        sheet = sheets[0]
        if len(sheets) > 1:
            notes.append(
                f"Le classeur compte {len(sheets)} feuilles : seule la première, « {cut(sheet.title, 40)} », est lue."
            )
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a declared dimension of A1:XFD1048576 would pad every row
        rows = []
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                rows.append(_check_width([_cell_text(v) for v in values], line))
                if len(rows) > MAX_ROWS + 3:
                    raise _too_many_rows()
        except TableReadError:
            raise
        except Exception as exc:
            raise TableReadError("La feuille du classeur XLSX ne peut pas être lue (fichier endommagé ?).") from exc
        if not any(any(c.strip() for c in r) for r in rows) and len(sheets) > 1:
            raise TableReadError(
                f"La première feuille du classeur, « {cut(sheet.title, 40)} », est vide (le classeur en compte "
                f"{len(sheets)}) : placez les données dans la première feuille."
            )
    finally:
        workbook.close()
    return rows, notes


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _control_name(char: str) -> str:
    code = ord(char)
    name = CONTROL_NAMES.get(code, "caractère de contrôle")
    return f"{name} (U+{code:04X})"


def cell_errors(raw_rows: list[list[str]], header_index: int, headers: list[str]) -> list[RowError]:
    """Control characters and formulas, by line and column; line breaks are refused in headers."""
    errors: list[RowError] = []
    found = 0
    for index, cells in enumerate(raw_rows):
        line = index + 1
        for position, cell in enumerate(cells):
            bad = CONTROL_RE.search(cell)
            if bad is None and index <= header_index:
                bad = LINE_BREAK_RE.search(cell)
            if bad is not None:
                message = (
                    f"{_control_name(bad.group())} à la position {bad.start() + 1} de la cellule : "
                    "caractère interdit, retirez-le du fichier"
                )
            elif FORMULA_RE.match(cell):
                message = (
                    f"« {cut(cell.strip(), 40)} » est une formule de tableur : saisissez la valeur elle-même "
                    "(ou copiez-collez les valeurs seules)"
                )
            else:
                continue
            found += 1
            if len(errors) < MAX_CONTROL_ERRORS:
                column = headers[position] if index > header_index and position < len(headers) else ""
                if CONTROL_RE.search(column) or FORMULA_RE.match(column):
                    column = ""
                errors.append(RowError(line, column or column_letter(position), message))
    if found > len(errors):
        errors.append(
            RowError(None, "", f"{fr_int(found)} cellules contiennent un caractère de contrôle ou une formule en tout")
        )
    return errors


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as spreadsheets name columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_table(data: bytes, filename: str = "", expected_columns: set[str] | None = None) -> Table:
    """Read a CSV or XLSX file into normalised headers and rows; raise TableReadError naming any problem."""
    if not data:
        raise TableReadError("Le fichier est vide.")
    name = filename.lower()
    notes: list[str] = []
    if data[:2] == b"PK":
        raw_rows, notes = _read_xlsx(data)
        encoding, delimiter = "XLSX", ""
    elif name.endswith(".xls"):
        raise TableReadError("Le format .xls n’est pas lu : enregistrez le fichier en .xlsx ou .csv.")
    else:
        # Not an archive, whatever its name says: a PDF or a picture is named as such, a CSV saved as .xlsx is read.
        raw_rows, encoding, delimiter = _read_csv(data)
    if not any(any(c.strip() for c in r) for r in raw_rows):
        raise TableReadError("Le fichier ne contient aucune ligne.")
    expected = {normalise_header(c) for c in expected_columns} if expected_columns else None
    header_index = _find_header(raw_rows, expected)
    headers = [normalise_header(h) for h in raw_rows[header_index]]
    problems = cell_errors(raw_rows, header_index, headers)
    if problems:
        raise TableReadError(errors=problems)
    rows = []
    for offset, cells in enumerate(raw_rows[header_index + 1 :], start=header_index + 2):
        if not any(c.strip() for c in cells):
            continue
        too_long = next((i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS), None)
        if too_long is not None:
            column = headers[too_long] if too_long < len(headers) else column_letter(too_long)
            raise TableReadError(
                errors=[
                    RowError(
                        offset,
                        column or column_letter(too_long),
                        f"cellule de {fr_int(len(cells[too_long]))} caractères : {fr_int(MAX_CELL_CHARS)} au plus",
                    )
                ]
            )
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
        rows.append(Row(line=offset, values=values))
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    table = Table(headers=[h for h in headers if h], rows=rows, encoding=encoding, delimiter=delimiter, notes=notes)
    table.header_line = header_index + 1
    return table


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
        raise ValueError(f"« {cut(value)} » n’est pas un nombre") from None
    if not number.is_finite():
        raise ValueError(f"« {cut(value)} » n’est pas un nombre")
    return number


# ---------------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------------

XLSX_MAX_CELL = 32_767
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
EXPORT_FORMATS = ("csv", "xlsx")


def clean_text(value: str) -> str:
    """Text without the characters a spreadsheet cell cannot hold (NUL, vertical tab, ESC…)."""
    return XLSX_ILLEGAL_RE.sub("", value)


def neutralise(value):
    """Neutralise spreadsheet formulas in a CSV text cell (a leading apostrophe, the usual guard)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    return value


def format_number(value, *, machine: bool = False) -> str:
    """24286.0 → « 24286 », 10.3468 → « 10,3468 » (« 10.3468 » for machines); never an exponent."""
    if isinstance(value, float):
        if value.is_integer():
            text = str(int(value))
        else:
            text = repr(value)
            if "e" in text or "E" in text:
                text = format(Decimal(text), "f")
    elif isinstance(value, Decimal):
        if value == value.to_integral_value():
            text = str(value.quantize(Decimal(1)))
        else:
            text = format(value.normalize(), "f")
    else:
        text = str(value)
    return text if machine else text.replace(".", ",")


def csv_cell(value, *, machine: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("true" if value else "false") if machine else ("oui" if value else "non")
    if isinstance(value, int | float | Decimal):
        return format_number(value, machine=machine)
    if isinstance(value, datetime.datetime):
        value = _local(value)
        return value.isoformat(timespec="seconds") if machine else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat() if machine else value.strftime("%d/%m/%Y")
    return neutralise(clean_text(str(value)))


def csv_bytes(headers: list[str], rows, *, machine: bool = False) -> bytes:
    """UTF-8 with BOM, « ; », CRLF, as French spreadsheets open it (``machine``: dot decimal, ISO dates)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_cell(h, machine=machine) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v, machine=machine) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def safe_sheet_title(title: str) -> str:
    """A sheet name Excel accepts and never reads as a formula."""
    text = SHEET_TITLE_FORBIDDEN.sub(" ", clean_text(str(title or ""))).replace("\r", " ").replace("\n", " ")
    text = text.lstrip("".join(FORMULA_PREFIXES) + "' ").rstrip("' ")
    return text[:31].strip() or "Export"


def _xlsx_cell(sheet, value, *, bold: bool = False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value="oui" if value else "non")
    elif isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
    elif value is None:
        cell = WriteOnlyCell(sheet, value=None)
    else:
        # An explicit string cell: Excel and LibreOffice never evaluate it, and no apostrophe shows.
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = clean_text(str(value))[:XLSX_MAX_CELL]
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(headers: list[str], rows, sheet_title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, h, bold=True) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(content: bytes, filename: str, content_type: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, headers: list[str], rows, *, machine: bool = False):
    return file_response(csv_bytes(headers, rows, machine=machine), filename, "text/csv; charset=utf-8")


def xlsx_response(filename: str, headers: list[str], rows, sheet_title: str = "Export"):
    return file_response(
        xlsx_bytes(headers, rows, sheet_title),
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(fmt: str, name: str, headers: list[str], rows, sheet_title: str = "Export"):
    """The export in the format the URL names (« csv » or « xlsx »); any other format is a 404."""
    from django.http import Http404

    if fmt == "csv":
        return csv_response(f"{name}.csv", headers, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", headers, rows, sheet_title=sheet_title)
    raise Http404("Format d’export inconnu.")
