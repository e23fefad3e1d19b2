"""Documents people upload (a body's documents and their versions, session documents, action documents).

What they share lives here: the fields of a stored file (``StoredFile``), the form field that takes one
(``DocumentFileField``), storing one after checking its content (``store_checked_file``: ``filecheck`` reads the
real type from the content, refuses executables and files over ``SREFOP_DOCUMENT_MAX_BYTES``) and serving it back
(``StoredFile.download_response``). Each app keeps its own table, folder and permissions.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse, Http404

from .filecheck import ACCEPT_ATTRIBUTE, ACCEPTED_LABEL, check_document, max_size_label


def stored_file_name(folder: str, filename: str) -> str:
    """A random name in ``folder``, keeping only the (lower-cased) extension of the uploaded name."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """A file kept in the media storage with what was checked about it.

    Subclasses declare ``file = models.FileField(upload_to=..., max_length=255)`` (their own folder) and what the
    file belongs to.
    """

    original_name = models.CharField("nom du fichier", max_length=255)
    file_type = models.CharField("type", max_length=10)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField("taille")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def download_response(self) -> FileResponse:
        """The file as an attachment under its original name; 404 if it is missing from the storage."""
        try:
            handle = self.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=self.original_name, content_type=self.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def store_checked_file(instance: StoredFile, *, data: bytes, filename: str, by) -> StoredFile:
    """Check the content (``filecheck.FileRejected`` with a French message), then save the file and the row.

    The stored file is removed again if the row cannot be saved. Call it inside the caller's transaction.
    """
    kind = check_document(data, filename)
    instance.original_name = filename[-255:]
    instance.file_type = kind.code
    instance.content_type = kind.content_type
    instance.size = len(data)
    instance.uploaded_by = by
    instance.file.save(filename, ContentFile(data), save=False)
    try:
        instance.save()
    except Exception:
        instance.file.delete(save=False)
        raise
    return instance


class DocumentFileField(forms.FileField):
    """The file input of a document: accepted formats and the size limit in the help text and ``accept``."""

    def __init__(self, *, help_extra: str = "", **kwargs):
        help_text = f"{ACCEPTED_LABEL}, {max_size_label()} au maximum."
        kwargs.setdefault("help_text", f"{help_text} {help_extra}".strip())
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)
