from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..filecheck import FileRejected, check_document
from ..models import Body, Document, DocumentVersion, Meeting
from . import ClefopError


def _add_version(*, document: Document, data: bytes, filename: str, by) -> DocumentVersion:
    try:
        kind = check_document(data, filename)
    except FileRejected as exc:
        raise ClefopError(str(exc)) from exc
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=filename[-255:],
        file_type=kind.code,
        content_type=kind.content_type,
        size=len(data),
        uploaded_by=by,
    )
    version.file.save(filename, ContentFile(data), save=False)
    try:
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def upload_document(
    *, body: Body, title: str, data: bytes, filename: str, by, meeting: Meeting | None = None, is_minutes=False
) -> Document:
    if meeting is not None and meeting.body_id != body.pk:
        raise ClefopError("Cette réunion n'appartient pas à l'instance.")
    title = (title or "").strip() or filename
    document = Document.objects.create(
        body=body, meeting=meeting, title=title[:255], is_minutes=is_minutes, created_by=by
    )
    _add_version(document=document, data=data, filename=filename, by=by)
    return document


@transaction.atomic
def add_version(*, document: Document, data: bytes, filename: str, by) -> DocumentVersion:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.deleted_at:
        raise ClefopError("Ce document est supprimé : restaurez-le avant d'en déposer une nouvelle version.")
    return _add_version(document=document, data=data, filename=filename, by=by)


@transaction.atomic
def delete_document(*, document: Document, by) -> None:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.deleted_at:
        raise ClefopError("Ce document est déjà supprimé.")
    document.deleted_at = timezone.now()
    document.deleted_by = by
    document.save(update_fields=["deleted_at", "deleted_by"])


@transaction.atomic
def restore_document(*, document: Document) -> None:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.deleted_at:
        raise ClefopError("Ce document n'est pas supprimé.")
    document.deleted_at = None
    document.deleted_by = None
    document.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
