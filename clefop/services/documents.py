from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from srefop_portal.common.documents import store_checked_file
from srefop_portal.common.filecheck import FileRejected

from ..models import Body, Document, DocumentVersion, Meeting
from . import ClefopError


def _add_version(*, document: Document, data: bytes, filename: str, by) -> DocumentVersion:
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        version = store_checked_file(
            DocumentVersion(document=document, number=number), data=data, filename=filename, by=by
        )
    except FileRejected as exc:
        raise ClefopError(str(exc)) from exc
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def upload_document(
    *, body: Body, title: str, data: bytes, filename: str, by, meeting: Meeting | None = None, is_minutes=False
) -> Document:
    if meeting is not None and meeting.body_id != body.pk:
        raise ClefopError("Cette réunion n’appartient pas à l’instance.")
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
        raise ClefopError("Ce document est supprimé : restaurez-le avant d’en déposer une nouvelle version.")
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
        raise ClefopError("Ce document n’est pas supprimé.")
    document.deleted_at = None
    document.deleted_by = None
    document.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
