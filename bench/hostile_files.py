"""Hostile and unusual files for the imports, built in memory (for tests/common/test_hostile_imports.py and the
``imports`` step of ``make bench``): every way a spreadsheet user or an attacker hands a file over.

``corpus(header, rows, inject)`` gives ``HostileFile``s from one import's valid header and rows: line ends, encodings,
control characters, formulas, HTML, binary content disguised as CSV/XLSX, a decompression bomb, a wide sheet, an
empty sheet, a workbook of several sheets. ``inject`` is the index of a free column where hostile values go.

XLSX files are written directly as XML (inline strings), which is much faster than openpyxl for 100,000 rows.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
)
SHEET_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _sheet_xml_chunks(rows):
    yield SHEET_HEAD
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
            for c, value in enumerate(row)
            if value not in (None, "")
        )
        yield f'<row r="{r}">{cells}</row>'
    yield SHEET_TAIL


def xlsx(sheets: dict[str, list[list]] | list[list]) -> bytes:
    """A workbook (one sheet per item of ``sheets``; a plain list of rows is one sheet named « Feuil1 »)."""
    if not isinstance(sheets, dict):
        sheets = {"Feuil1": sheets}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        numbers = range(1, len(sheets) + 1)
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=n) for n in numbers))
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in zip(numbers, sheets, strict=True)
                )
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels="".join(SHEET_REL.format(n=n) for n in numbers))
        )
        for n, rows in zip(numbers, sheets.values(), strict=True):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as handle:
                for chunk in _sheet_xml_chunks(rows):
                    handle.write(chunk.encode())
    return buffer.getvalue()


@lru_cache(maxsize=2)
def bomb_xlsx(expanded_mb: int = 130) -> bytes:
    """A small workbook (a few hundred KB) whose sheet expands to ``expanded_mb`` MB of XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=SHEET_TYPE.format(n=1)))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(sheets='<sheet name="Feuil1" sheetId="1" r:id="rId1"/>'))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels=SHEET_REL.format(n=1)))
        cell = '<c r="A1" t="inlineStr"><is><t>' + "A" * 4000 + "</t></is></c>"
        chunk = ("<row>" + cell * 25 + "</row>").encode() * 10  # about 1 MB
        with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
            handle.write(SHEET_HEAD.encode())
            for _ in range(expanded_mb):
                handle.write(chunk)
            handle.write(SHEET_TAIL.encode())
    return buffer.getvalue()


def csv_text(rows, *, delimiter: str = ";", newline: str = "\r\n") -> str:
    def cell(value) -> str:
        value = str(value)
        if any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + newline for row in rows)


def csv_bytes(rows, *, encoding: str = "utf-8", newline: str = "\r\n", bom: bool = False) -> bytes:
    data = csv_text(rows, newline=newline).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@lru_cache(maxsize=1)
def wide_xlsx() -> bytes:
    """One row of 2,000 columns of 2,000 characters each."""
    return xlsx([[f"colonne {i} " + "x" * 2000 for i in range(2_000)]])


def fake_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lisezmoi.txt", "Ceci n'est pas un classeur.")
    return buffer.getvalue()


@dataclass
class HostileFile:
    name: str  # what it is, for test ids
    filename: str
    build: Callable[[], bytes]  # the content, built on demand (some files take a second to build)
    expected: str  # a fragment of the message naming the problem ("" for a file read as valid)
    line: int | None = None  # the line the message names, when it names one
    encoding: str = ""  # for readable files, the encoding the reading layer must report

    @property
    def data(self) -> bytes:
        return self.build()


def with_value(header, rows, inject: int, value: str, line: int = 2) -> list[list]:
    """The file with ``value`` in column ``inject`` of the data row at spreadsheet line ``line``."""
    table = [list(header), *[list(r) for r in rows]]
    table[line - 1][inject] = value
    return table


def corpus(
    header: list[str], rows: list[list], inject: int, *, large_valid=None, large_invalid=None
) -> list[HostileFile]:
    """The hostile files of one import; ``rows`` must make a valid file, column ``inject`` takes any text.

    ``large_valid`` / ``large_invalid``: callables giving 100,000 rows (valid / each with an error)."""
    table = [list(header), *[list(r) for r in rows]]
    accented = with_value(header, rows, inject, "Jérôme Hélène « Noël » à Angers")

    def csv_with(value, **options):
        return lambda: csv_bytes(with_value(header, rows, inject, value), **options)

    def xlsx_with(value):
        return lambda: xlsx(with_value(header, rows, inject, value))

    def encoded(encoding, **options):
        return lambda: csv_bytes(accented, encoding=encoding, **options)

    html = b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>"
    files = [
        HostileFile("cr-only", "mac.csv", lambda: csv_bytes(table, encoding="cp1252", newline="\r"), ""),
        HostileFile("lf-only", "unix.csv", lambda: csv_bytes(table, newline="\n"), ""),
        HostileFile("crlf-in-quotes", "multi.csv", csv_with("ligne 1\r\nligne 2"), ""),
        HostileFile("utf-16-bom", "utf16.csv", encoded("utf-16"), "", encoding="UTF-16"),
        HostileFile("utf-16-le-no-bom", "utf16le.csv", encoded("utf-16-le"), "", encoding="UTF-16 (sans BOM)"),
        HostileFile("utf-16-be-no-bom", "utf16be.csv", encoded("utf-16-be"), "", encoding="UTF-16 (sans BOM)"),
        HostileFile("macroman", "macroman.csv", encoded("mac_roman"), "", encoding="Mac OS Roman"),
        HostileFile("windows-1252", "cp1252.csv", encoded("cp1252"), "", encoding="Windows-1252"),
        HostileFile("utf-8-bom", "bom.csv", encoded("utf-8", bom=True), "", encoding="UTF-8 (BOM)"),
        HostileFile("nul", "nul.csv", csv_with("a\x00b"), "NUL (U+0000)", line=2),
        HostileFile("vertical-tab", "vt.csv", csv_with("a\x0bb"), "U+000B", line=2),
        HostileFile("escape", "esc.csv", csv_with("a\x1b[31mb"), "ESC (U+001B)", line=2),
        HostileFile("del-in-xlsx", "del.xlsx", xlsx_with("a\x7fb"), "U+007F", line=2),
        HostileFile("formula-equals", "f1.csv", csv_with("=1+1"), "formule", line=2),
        HostileFile("formula-plus", "f2.csv", csv_with("+SUM(A1:A9)"), "formule", line=2),
        HostileFile("formula-minus", "f3.csv", csv_with("-2+3"), "formule", line=2),
        HostileFile("formula-at", "f4.csv", csv_with("@SUM(A1)"), "formule", line=2),
        HostileFile("formula-tab", "f5.csv", csv_with("\t=cmd|' /C calc'!A0"), "formule", line=2),
        HostileFile("formula-in-xlsx", "f6.xlsx", xlsx_with('=HYPERLINK("http://x")'), "formule", line=2),
        HostileFile("html-page", "page.csv", lambda: html, "page web"),
        HostileFile("unclosed-quote", "quote.csv", lambda: csv_bytes(table)[:-2] + b';"ouvert\r\n', "guillemet"),
        HostileFile("pdf-as-csv", "export.csv", fake_pdf, "PDF"),
        HostileFile("pdf-as-xlsx", "export.xlsx", fake_pdf, "PDF"),
        HostileFile("zip-as-xlsx", "classeur.xlsx", plain_zip, "archive ZIP"),
        HostileFile("xls-as-csv", "vieux.csv", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "97-2003"),
        HostileFile("random-bytes", "hasard.csv", lambda: random.Random(14).randbytes(20_000), "binaires"),
        HostileFile("broken-xlsx", "casse.xlsx", lambda: xlsx(table)[:-200], "endommagé"),
        HostileFile("bomb", "bombe.xlsx", bomb_xlsx, "décompressé"),
        HostileFile("wide-sheet", "large.xlsx", wide_xlsx, "colonnes"),
        HostileFile("empty-sheet", "vide.xlsx", lambda: xlsx([]), "aucune ligne"),
        HostileFile("empty-csv", "vide.csv", lambda: b"", "vide"),
        HostileFile("first-sheet-empty", "feuilles.xlsx", lambda: xlsx({"Notice": [], "Données": table}), "première"),
        HostileFile("several-sheets", "feuilles.xlsx", lambda: xlsx({"Données": table, "Notice": [["à lire"]]}), ""),
        HostileFile("too-many-rows", "trop.csv", lambda: csv_bytes([header] + [rows[0][:1]] * 100_001), "100"),
    ]
    if large_valid:
        files.append(HostileFile("100k-valid", "grand.csv", lambda: csv_bytes([header, *large_valid()]), ""))
    if large_invalid:
        files.append(
            HostileFile("100k-invalid", "grand-faux.csv", lambda: csv_bytes([header, *large_invalid()]), "erreurs")
        )
    return files
