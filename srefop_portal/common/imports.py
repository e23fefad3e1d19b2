"""The two-step import of a CSV or XLSX file, shared by every app.

1. ``ImportCheckView`` (GET shows the form, POST checks): the file is read and checked entirely, nothing is
   written. Errors are listed by line and column; a valid file is stashed (``uploads.py``) and its preview shown
   with a button to apply it.
2. ``ImportConfirmView`` (POST only): the stashed file is checked again, since the data it was checked against may
   have changed, then ``apply`` hands it to the app's service, which writes everything in one transaction (all or
   nothing) and records who did it. A missing or expired stash, a file that is no longer valid or a domain error
   of the service sends the person back to step 1 with a French message; nothing is written.

An app declares one small mixin per import (permission, checker, URL names) and two views, for example::

    class MemberImport(StaffViewMixin, ImportMixin):
        permission_required = "clefop.manage_directory"
        checker = staticmethod(validate_members_file)
        check_url_name = "clefop:member_import"
        confirm_url_name = "clefop:member_import_confirm"

    class MemberImportView(MemberImport, ImportCheckView):
        template_name = "clefop/member_import.html"   # extends "common/import_form.html"
        form_class = ImportFileForm

    class MemberImportConfirmView(MemberImport, ImportConfirmView):
        success_url = reverse_lazy("clefop:directory")
        apply_errors = (ClefopError,)

        def apply(self, result, *, data, filename, token):
            summary = import_members(members=result.members, by=self.request.user)
            return f"Import terminé : ..."

The checker takes ``(data, filename, **params)`` and returns a result with ``errors`` (``tabular.RowError`` list)
and ``is_valid``; the rest of the result (the plan) is the app's, shown by its template and given to ``apply``.

The example file offered on the import page is one more small subclass, ``ImportTemplateView``::

    class MemberImportTemplateView(ImportTemplateView):
        permission_required = "clefop.manage_directory"
        filename = "modele-import-membres"   # the extension is added
        columns = COLUMNS
        rows = TEMPLATE_ROWS
        sheet_title = "Membres"
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from .permissions import StaffViewMixin
from .tabular import csv_response, xlsx_response
from .uploads import drop_stash, load_stash, stash_upload

TABULAR_EXTENSIONS = (".csv", ".txt", ".xlsx")

MISSING_STASH_MESSAGE = (
    "Le fichier vérifié n’est plus disponible (délai dépassé ou déjà importé) : déposez-le à nouveau."
)
NOW_INVALID_MESSAGE = (
    "Le fichier contient désormais {count} erreur{plural} (les données ont changé depuis la vérification) : "
    "aucune modification n’a été faite. Déposez-le à nouveau pour voir le détail."
)
APPLY_ERROR_MESSAGE = "Import annulé, aucune modification : {error}"


class ImportRefused(Exception):
    """Raised by an import's hooks to send the person back to step 1 with this message; nothing is written."""


class TabularFileField(forms.FileField):
    """A CSV or XLSX file to import: type checked from its name, size limited (the content is read by the checker)."""

    def __init__(self, *, max_mb: int = 5, help_text: str = "", **kwargs):
        self.max_mb = max_mb
        help_text = help_text.rstrip()
        if help_text and not help_text.endswith("."):
            help_text += "."
        kwargs["help_text"] = f"{help_text} {max_mb} Mo au plus.".lstrip()
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(TABULAR_EXTENSIONS)}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return upload
        if upload.size > self.max_mb * 1024 * 1024:
            raise forms.ValidationError(f"Le fichier dépasse {self.max_mb} Mo.")
        if PurePath(upload.name).suffix.lower() not in TABULAR_EXTENSIONS:
            raise forms.ValidationError("Formats acceptés : CSV ou XLSX.")
        return upload


class ImportMixin:
    """What both steps of one import share. ``checker(data, filename, **params)`` must not write anything."""

    checker = None
    check_url_name = ""
    confirm_url_name = ""

    def check_file(self, data: bytes, filename: str, **params):
        return type(self).checker(data, filename, **params)


class ImportCheckView(ImportMixin, FormView):
    """Step 1: upload and check everything; the form needs a ``file`` field (see ``TabularFileField``)."""

    # Status of the page listing a file's errors (a few pages historically answer 200).
    invalid_status = 400

    def get_check_params(self, form) -> dict:
        """Extra arguments of the checker, read from the form (e.g. the layout of the file)."""
        return {}

    def get_result_context(self, form, result, params: dict) -> dict:
        """Extra context for the page showing the result of the check."""
        return {}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        params = self.get_check_params(form)
        result = self.check_file(data, upload.name, **params)
        token = stash_upload(self.request, data, upload.name) if result.is_valid else ""
        context = self.get_context_data(
            form=form, result=result, token=token, **self.get_result_context(form, result, params)
        )
        return self.render_to_response(context, status=200 if result.is_valid else self.invalid_status)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("result", None)
        kwargs.setdefault("token", "")
        kwargs.setdefault("confirm_url", reverse(self.confirm_url_name))
        return super().get_context_data(**kwargs)


class ImportConfirmView(ImportMixin, View):
    """Step 2: check the stashed file again, then apply it (``apply``) in one transaction."""

    http_method_names = ["post"]
    success_url = None
    # Domain errors of the service: the transaction is rolled back and the message shown.
    apply_errors: tuple[type[Exception], ...] = ()

    def get_check_params(self) -> dict:
        """Extra arguments of the checker, read from the confirmation form (then in ``self.params``); raise
        ImportRefused if they are invalid."""
        return {}

    def apply(self, result, *, data: bytes, filename: str, token: str) -> str | HttpResponse:
        """Write the checked plan (one transaction) and return the success message.

        Return a response instead to hand the stash over (e.g. to a background job): it is then kept.
        """
        raise NotImplementedError

    def get_success_url(self) -> str:
        return str(self.success_url)

    def refuse(self, message: str) -> HttpResponseRedirect:
        messages.error(self.request, message)
        return redirect(self.check_url_name)

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token", "")
        stashed = load_stash(request, token)
        if stashed is None:
            return self.refuse(MISSING_STASH_MESSAGE)
        data, filename = stashed
        try:
            self.params = self.get_check_params()
            result = self.check_file(data, filename, **self.params)
            if not result.is_valid:
                count = len(result.errors)
                return self.refuse(NOW_INVALID_MESSAGE.format(count=count, plural="s" if count > 1 else ""))
            outcome = self.apply(result, data=data, filename=filename, token=token)
        except ImportRefused as exc:
            return self.refuse(str(exc))
        except self.apply_errors as exc:
            return self.refuse(APPLY_ERROR_MESSAGE.format(error=exc))
        if isinstance(outcome, HttpResponse):
            return outcome
        drop_stash(request, token)
        messages.success(request, outcome)
        return redirect(self.get_success_url())


class ImportTemplateView(StaffViewMixin, View):
    """Download the example file of an import: its header and a few example rows (a staff page).

    Each import states its own ``permission_required`` (there is no default: rules refuses a view without one).
    ``formats`` lists the files offered, the first being the default; with several, the URL names the one wanted
    in its ``fmt`` argument and any other is a 404.
    """

    filename = ""  # without the extension, e.g. "modele-import-membres"
    columns: list[str] = []
    rows: list[list] = []
    sheet_title = "Export"
    formats: tuple[str, ...] = ("xlsx",)

    def get_rows(self) -> list[list]:
        return self.rows

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("fmt", self.formats[0])
        if fmt not in self.formats:
            raise Http404
        name = f"{self.filename}.{fmt}"
        if fmt == "csv":
            return csv_response(name, self.columns, self.get_rows())
        return xlsx_response(name, self.columns, self.get_rows(), sheet_title=self.sheet_title)
