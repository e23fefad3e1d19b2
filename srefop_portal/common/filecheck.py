"""What kind of file a document really is, read from its content, never from its name.

Accepted: PDF, DOCX, XLSX, PPTX (OOXML: ``[Content_Types].xml``), ODT, ODS (ODF: ``mimetype`` entry),
PNG, JPEG, and CSV (UTF-8 or Windows-1252 text without NUL bytes). Executables renamed to an accepted
extension are refused with a clear message.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings


class FileRejected(Exception):
    """The file is refused; the message is shown to the person as is."""


@dataclass(frozen=True)
class FileKind:
    code: str  # pdf, docx...
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    kind.code: kind
    for kind in [
        FileKind("pdf", "PDF", "application/pdf", (".pdf",)),
        FileKind(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileKind(
            "xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
        ),
        FileKind(
            "pptx",
            "PowerPoint (PPTX)",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        FileKind("odt", "texte OpenDocument (ODT)", "application/vnd.oasis.opendocument.text", (".odt",)),
        FileKind("ods", "tableur OpenDocument (ODS)", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
        FileKind("csv", "CSV", "text/csv", (".csv",)),
        FileKind("png", "image PNG", "image/png", (".png",)),
        FileKind("jpg", "image JPEG", "image/jpeg", (".jpg", ".jpeg")),
    ]
}
ACCEPTED_LABEL = "PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, PNG ou JPG"
ACCEPT_ATTRIBUTE = ",".join(ext for kind in KINDS.values() for ext in kind.extensions)

EXECUTABLE_SIGNATURES = (
    (b"MZ", "programme Windows"),
    (b"\x7fELF", "programme Linux (ELF)"),
    (b"\xcf\xfa\xed\xfe", "programme macOS"),
    (b"\xfe\xed\xfa\xcf", "programme macOS"),
    (b"\xca\xfe\xba\xbe", "programme macOS ou Java"),
    (b"#!", "script exécutable"),
)
OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def max_size_label() -> str:
    size = settings.SREFOP_DOCUMENT_MAX_BYTES
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} Mo"
    return f"{max(1, size // 1024)} Ko"


def check_document(data: bytes, filename: str) -> FileKind:
    """The kind of an uploaded document, or FileRejected with a French message."""
    if not data:
        raise FileRejected("Le fichier est vide.")
    if len(data) > settings.SREFOP_DOCUMENT_MAX_BYTES:
        raise FileRejected(f"Le fichier dépasse la taille maximale autorisée ({max_size_label()}).")
    for signature, what in EXECUTABLE_SIGNATURES:
        if data.startswith(signature):
            raise FileRejected(
                f"Ce fichier est un {what}, pas un document : il est refusé, quel que soit son nom. "
                f"Formats acceptés : {ACCEPTED_LABEL}."
            )
    kind = _detect(data, filename)
    if kind is None:
        raise FileRejected(
            f"Le contenu de ce fichier ne correspond à aucun format accepté ({ACCEPTED_LABEL}). "
            "Le type est vérifié d’après le contenu du fichier, pas d’après son nom."
        )
    suffix = PurePath(filename).suffix.lower()
    if suffix not in kind.extensions:
        raise FileRejected(
            f"Le nom du fichier se termine par « {suffix or '(aucune extension)'} » mais son contenu est "
            f"un fichier {kind.label} : renommez-le en « {kind.extensions[0]} » puis déposez-le à nouveau."
        )
    return kind


def _detect(data: bytes, filename: str) -> FileKind | None:
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    guessed = filetype.guess(data)
    if guessed is not None:
        mapping = {"pdf": "pdf", "png": "png", "jpg": "jpg"}
        code = mapping.get(guessed.extension)
        return KINDS[code] if code else None
    if PurePath(filename).suffix.lower() == ".csv" and _is_text(data):
        return KINDS["csv"]
    return None


def _detect_zip(data: bytes) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", errors="replace").strip()
            code = ODF_MIMETYPES.get(mimetype)
            return KINDS[code] if code else None
        if "[Content_Types].xml" in names:
            content_types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
            for part, code in OOXML_MAIN_PARTS.items():
                if part in names and f"/{part}" in content_types:
                    return KINDS[code]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False
