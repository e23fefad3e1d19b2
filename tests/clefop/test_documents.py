import io
import zipfile

import pytest
from django.urls import reverse

from clefop.models import Document, DocumentVersion
from srefop_portal.common.filecheck import FileRejected, check_document
from tests.clefop.conftest import PDF

pytestmark = pytest.mark.django_db


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
DOCX = _zip(
    {"[Content_Types].xml": b'<Types><Override PartName="/word/document.xml"/></Types>', "word/document.xml": b"<w/>"}
)
PPTX = _zip(
    {
        "[Content_Types].xml": b'<Types><Override PartName="/ppt/presentation.xml"/></Types>',
        "ppt/presentation.xml": b"<p/>",
    }
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def _xlsx() -> bytes:
    from srefop_portal.common.tabular import xlsx_bytes

    return xlsx_bytes(["a"], [[1]])


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "a.pdf", "pdf"),
        (PNG, "a.png", "png"),
        (JPG, "a.jpeg", "jpg"),
        (DOCX, "a.docx", "docx"),
        (PPTX, "a.pptx", "pptx"),
        (ODT, "a.odt", "odt"),
        (ODS, "a.ods", "ods"),
        ("nom;valeur\r\nÉlodie;1\r\n".encode(), "a.csv", "csv"),
        ("nom;valeur\r\nÉlodie;1\r\n".encode("cp1252"), "a.csv", "csv"),
    ],
)
def test_accepted_types_are_recognised_from_content(data, name, kind):
    assert check_document(data, name).code == kind


def test_xlsx_from_openpyxl_is_recognised():
    assert check_document(_xlsx(), "tableau.xlsx").code == "xlsx"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "rapport.pdf", "programme Windows"),
        (b"\x7fELF\x02\x01" + b"\x00" * 100, "rapport.pdf", "programme Linux"),
        (b"#!/bin/sh\nrm -rf /\n", "liste.csv", "script"),
        (_zip({"evil.exe": b"MZ"}), "note.docx", "aucun format accepté"),
        (b"a;b\x00c", "liste.csv", "aucun format accepté"),
        (PDF, "rapport.docx", "renommez-le"),
        (b"", "vide.pdf", "vide"),
        (b"GIF89a" + b"\x00" * 20, "image.gif", "aucun format accepté"),
    ],
)
def test_refused_files_have_a_french_message(data, name, message):
    with pytest.raises(FileRejected, match=message):
        check_document(data, name)


def test_size_limit_is_a_setting(settings):
    settings.SREFOP_DOCUMENT_MAX_BYTES = 50
    with pytest.raises(FileRejected, match="taille maximale"):
        check_document(PDF + b" " * 100, "a.pdf")


def _upload(client, body, data, name, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("clefop:document_upload", args=[body.slug]),
        {"title": extra.get("title", "Note"), "file": SimpleUploadedFile(name, data)},
    )


def test_renamed_executable_is_refused_and_nothing_is_stored(client_for, nantes, settings):
    client = client_for("animateur")
    response = _upload(client, nantes, b"MZ\x90\x00" + b"\x00" * 200, "compte-rendu.pdf")
    assert response.status_code == 400
    assert "programme Windows" in response.content.decode()
    assert Document.objects.count() == 0 and DocumentVersion.objects.count() == 0


def test_upload_versions_download_soft_delete_and_restore(client_for, nantes, settings):
    animateur = client_for("animateur")
    response = _upload(animateur, nantes, PDF, "diagnostic.pdf", title="Diagnostic territorial")
    assert response.status_code == 302
    document = Document.objects.get()
    version1 = document.current_version
    assert str(settings.MEDIA_ROOT) in version1.file.path and "/static" not in version1.file.path
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = animateur.post(
        reverse("clefop:document_version_create", args=[nantes.slug, document.pk]),
        {"file": SimpleUploadedFile("diagnostic-v2.pdf", PDF + b"% v2\n")},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.versions.count() == 2 and document.current_version.number == 2
    member = client_for("member")
    old = member.get(version1.get_download_url())
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == PDF
    assert old["Content-Type"] == "application/pdf" and "attachment" in old["Content-Disposition"]
    detail = member.get(document.get_absolute_url()).content.decode()
    assert "diagnostic-v2.pdf" in detail and "diagnostic.pdf" in detail
    # Soft delete by the animateur, restore by staff.
    assert animateur.post(reverse("clefop:document_delete", args=[nantes.slug, document.pk])).status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None and DocumentVersion.objects.count() == 2
    assert member.get(version1.get_download_url()).status_code == 404
    assert (
        "Diagnostic territorial" not in member.get(reverse("clefop:document_list", args=[nantes.slug])).content.decode()
    )
    staff = client_for("staff")
    assert "Documents supprimés" in staff.get(reverse("clefop:document_list", args=[nantes.slug])).content.decode()
    assert staff.post(reverse("clefop:document_restore", args=[nantes.slug, document.pk])).status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is None
    assert member.get(document.get_absolute_url()).status_code == 200


def test_media_is_not_served_statically(client_for, workspace):
    client = client_for("staff")
    path = workspace["version"].file.name
    assert client.get(f"/media/{path}").status_code == 404
