"""Stored documents shared by the apps (srefop_portal/common/documents.py): checked storing, download, and the
file type backfilled on action documents."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.http import Http404

from roadmaps import services as roadmap_services
from roadmaps.models import ActionDocument
from srefop_portal.common.documents import DocumentFileField, store_checked_file, stored_file_name
from srefop_portal.common.filecheck import FileRejected
from tests.roadmaps.factories import roadmap_with

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def action():
    return roadmap_with(actions=1).actions.get()


def test_a_checked_file_is_stored_with_its_real_type(action, role_user):
    user = role_user("member")
    document = store_checked_file(
        ActionDocument(action=action, title="Bilan"), data=PDF, filename="Bilan 2025.PDF", by=user
    )
    document.refresh_from_db()
    assert (document.file_type, document.content_type, document.size) == ("pdf", "application/pdf", len(PDF))
    assert document.original_name == "Bilan 2025.PDF" and document.uploaded_by == user
    assert document.file.name.startswith(f"roadmaps/actions/{action.pk}/") and document.file.name.endswith(".pdf")
    response = document.download_response()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    assert 'filename="Bilan 2025.PDF"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_an_executable_renamed_is_refused_and_nothing_is_stored(action):
    with pytest.raises(FileRejected, match="programme Windows"):
        store_checked_file(ActionDocument(action=action, title="x"), data=b"MZ\x90\x00", filename="x.pdf", by=None)
    assert not ActionDocument.objects.exists()


def test_the_service_turns_a_refusal_into_a_domain_error(action, role_user):
    with pytest.raises(roadmap_services.RoadmapError, match="ne correspond à aucun format"):
        roadmap_services.add_action_document(
            action=action, title="", data=b"\x00\x01binaire", filename="x.docx", user=role_user("member")
        )
    document = roadmap_services.add_action_document(
        action=action, title="", data=PDF, filename="rapport.pdf", user=role_user("member")
    )
    assert document.title == "rapport.pdf" and document.file_type == "pdf"


def test_the_stored_file_is_removed_if_the_row_cannot_be_saved(action, monkeypatch):
    from django.core.files.storage import default_storage

    document = ActionDocument(action=action, title="x")
    stored = []

    def broken_save(*args, **kwargs):
        stored.append(document.file.name)
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(document, "save", broken_save)
    with pytest.raises(RuntimeError):
        store_checked_file(document, data=PDF, filename="x.pdf", by=None)
    assert stored[0].startswith("roadmaps/actions/") and not default_storage.exists(stored[0])


def test_a_missing_stored_file_is_a_404(action):
    document = ActionDocument(action=action, title="x", original_name="x.pdf", content_type="application/pdf", size=1)
    document.file.save("x.pdf", ContentFile(PDF), save=True)
    document.file.storage.delete(document.file.name)
    with pytest.raises(Http404):
        document.download_response()


def test_existing_action_documents_get_their_file_type():
    migration = importlib.import_module("roadmaps.migrations.0005_action_document_file_type")
    action = roadmap_with(actions=1).actions.get()
    known = ActionDocument.objects.create(
        action=action, title="a", file="a.bin", original_name="a.pdf", content_type="application/pdf", size=1
    )
    by_name = ActionDocument.objects.create(
        action=action, title="b", file="b.bin", original_name="Tableau.ODS", content_type="application/zip", size=1
    )
    migration.fill_file_types(apps, None)
    known.refresh_from_db()
    by_name.refresh_from_db()
    assert (known.file_type, by_name.file_type) == ("pdf", "ods")


def test_names_and_form_field():
    assert stored_file_name("clefop/sessions/3", "Compte Rendu.DOCX").startswith("clefop/sessions/3/")
    assert stored_file_name("x", "a.DOCX").endswith(".docx")
    field = DocumentFileField(label="Fichier", help_extra="Le type est vérifié d'après le contenu.")
    assert "PDF, DOCX" in field.help_text and field.help_text.endswith("Le type est vérifié d'après le contenu.")
    assert ".pdf" in field.widget.attrs["accept"]
