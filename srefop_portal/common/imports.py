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

from .jobs import JobFailure, start_job
from .permissions import PermissionRequiredMixin, StaffViewMixin
from .tabular import MAX_COLUMNS, MAX_ROWS, MAX_XLSX_UNCOMPRESSED, csv_bytes, csv_response, fr_int, xlsx_response
from .uploads import discard_stashed_file, drop_stash, load_stash, read_stashed_file, stash_upload

TABULAR_EXTENSIONS = (".csv", ".txt", ".xlsx")

MISSING_STASH_MESSAGE = (
    "Le fichier vérifié n’est plus disponible (délai dépassé ou déjà importé) : déposez-le à nouveau."
)
NOW_INVALID_MESSAGE = (
    "Le fichier contient désormais {count} erreur{plural} (les données ont changé depuis la vérification) : "
    "aucune modification n’a été faite. Déposez-le à nouveau pour voir le détail."
)
APPLY_ERROR_MESSAGE = "Import annulé, aucune modification : {error}"
SHOWN_ERRORS = 100  # errors listed on the page; the full list is a CSV download
ERRORS_CSV_MAX = 100_000
ERRORS_FILENAME = "erreurs-import.csv"
# One status for a file that cannot be imported, whatever the import and whatever the reason (form or content).
INVALID_STATUS = 400
BACKGROUND_THRESHOLD = 400  # rows above which confirming an import runs as a background job


class ImportRefused(Exception):
    """Raised by an import's hooks to send the person back to step 1 with this message; nothing is written."""


class TabularFileField(forms.FileField):
    """A CSV or XLSX file to import: type checked from its name, size limited (the content is read by the checker)."""

    def __init__(self, *, max_mb: int = 5, help_text: str = "", **kwargs):
        self.max_mb = max_mb
        help_text = help_text.rstrip()
        if help_text and not help_text.endswith("."):
            help_text += "."
        kwargs["help_text"] = (
            f"{help_text} {max_mb} Mo au plus, {fr_int(MAX_ROWS)} lignes et {MAX_COLUMNS} colonnes au plus ; "
            f"un classeur XLSX ne doit pas dépasser {MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} Mo une fois décompressé."
        ).lstrip()
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


def errors_csv(errors) -> bytes:
    """The full list of an import's errors, as a French spreadsheet opens it."""
    rows = [[e.line_label, e.column, e.message] for e in errors[:ERRORS_CSV_MAX]]
    if len(errors) > ERRORS_CSV_MAX:
        rows.append(["", "", f"… et {fr_int(len(errors) - ERRORS_CSV_MAX)} autres erreurs"])
    return csv_bytes(["Ligne", "Colonne", "Erreur"], rows)


class ImportCheckView(ImportMixin, FormView):
    """Step 1: upload and check everything; the form needs a ``file`` field (see ``TabularFileField``)."""

    invalid_status = INVALID_STATUS

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
        errors_url = ""
        if len(result.errors) > SHOWN_ERRORS:
            errors_token = stash_upload(self.request, errors_csv(result.errors), ERRORS_FILENAME)
            errors_url = reverse("common:import_errors", args=[errors_token])
        context = self.get_context_data(
            form=form,
            result=result,
            token=token,
            shown_errors=result.errors[:SHOWN_ERRORS],
            error_count=len(result.errors),
            errors_url=errors_url,
            notes=getattr(result, "notes", []),
            **self.get_result_context(form, result, params),
        )
        return self.render_to_response(context, status=200 if result.is_valid else self.invalid_status)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=INVALID_STATUS)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("result", None)
        kwargs.setdefault("token", "")
        kwargs.setdefault("shown_errors", [])
        kwargs.setdefault("error_count", 0)
        kwargs.setdefault("errors_url", "")
        kwargs.setdefault("notes", [])
        kwargs.setdefault("confirm_url", reverse(self.confirm_url_name))
        return super().get_context_data(**kwargs)


class ImportErrorsView(PermissionRequiredMixin, View):
    """The full error list of the last check, as CSV: a stash of the person's own session (another person's is a
    404), kept as long as any stash."""

    permission_required = "common.follow_jobs"

    def get(self, request, *args, **kwargs):
        stashed = load_stash(request, kwargs["token"])
        if stashed is None or stashed[1] != ERRORS_FILENAME:
            raise Http404("Liste d’erreurs expirée : vérifiez le fichier à nouveau.")
        response = HttpResponse(stashed[0], content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ERRORS_FILENAME}"'
        return response


class ImportConfirmView(ImportMixin, View):
    """Step 2: check the stashed file again, then apply it (``apply``) in one transaction."""

    http_method_names = ["post"]
    success_url = None
    # Domain errors of the service: the transaction is rolled back and the message shown.
    apply_errors: tuple[type[Exception], ...] = ()
    # A job kind registered with ``register_stashed_import``: above ``background_threshold`` rows, the checked
    # file is applied by that background job (progress page) instead of inside the request.
    job_kind = ""
    background_threshold = BACKGROUND_THRESHOLD

    def row_count(self, result) -> int:
        """How many rows the import will write (compared with ``background_threshold``)."""
        return 0

    def start_background(self, result, *, filename: str, token: str) -> HttpResponse:
        job = start_job(
            kind=self.job_kind,
            params={"token": token, "filename": filename, "check": self.params, "options": self.job_options()},
            requester=self.request.user,
        )
        self.request.session.modified = True
        return redirect(job.get_absolute_url())

    def job_options(self) -> dict:
        """What the background job needs besides the checker's parameters (e.g. a confirmation box)."""
        return {}

    def get_check_params(self) -> dict:
        """Extra arguments of the checker, read from the confirmation form (then in ``self.params``); raise
        ImportRefused if they are invalid."""
        return {}

    def apply(self, result, *, data: bytes, filename: str, token: str) -> str | HttpResponse:
        """Write the checked plan (one transaction) and return the success message.

        Return a response instead to hand the stash over (e.g. to a background job): it is then kept.
        """
        raise NotImplementedError

    def before_apply(self, result) -> None:
        """Last checks before writing (raise ImportRefused), e.g. a confirmation the plan requires."""

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
            if self.job_kind and self.row_count(result) > self.background_threshold:
                self.before_apply(result)
                return self.start_background(result, filename=filename, token=token)
            self.before_apply(result)
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


def run_stashed_import(job, progress, *, checker, apply, apply_errors=()) -> dict:
    """The body of a background import job: the stash is checked again, then ``apply(result, job=, progress=)``
    writes it (one transaction) and returns the success message. Register it with ``register_stashed_import``."""
    token = str(job.params.get("token", ""))
    data = read_stashed_file(token)
    if data is None:
        raise JobFailure("Le fichier déposé n’est plus disponible : déposez-le à nouveau.")
    progress(5, "Vérification du fichier")
    result = checker(data, job.params.get("filename", ""), **job.params.get("check", {}))
    if not result.is_valid:
        count = len(result.errors)
        raise JobFailure(NOW_INVALID_MESSAGE.format(count=fr_int(count), plural="s" if count > 1 else ""))
    progress(30, "Enregistrement")
    try:
        message = apply(result, job=job, progress=progress)
    except apply_errors as exc:
        raise JobFailure(APPLY_ERROR_MESSAGE.format(error=exc)) from exc
    discard_stashed_file(token)
    return {"message": message}


def register_stashed_import(name: str, *, label: str, checker, apply_errors=(), context=None):
    """Declare the background job of an import: ``@register_stashed_import(...)`` on ``apply(result, *, job,
    progress) -> str`` (the success message); only staff and the requester follow it."""
    from .jobs import register_job_kind

    def decorator(apply):
        def handler(job, progress):
            return run_stashed_import(job, progress, checker=checker, apply=apply, apply_errors=apply_errors)

        register_job_kind(name, label=label, notify=False, context=context)(handler)
        return apply

    return decorator
