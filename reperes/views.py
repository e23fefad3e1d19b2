"""Public pages (index, sheet, comparison, downloads) and staff pages (imports, catalogue, rebuilds)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from srefop_portal.common import versions
from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.imports import ImportCheckView, ImportMixin, ImportRefused
from srefop_portal.common.imports import ImportConfirmView as BaseImportConfirmView
from srefop_portal.common.jobs import reusable_job, start_job
from srefop_portal.common.models import Job
from srefop_portal.common.permissions import PublicMixin, StaffViewMixin
from srefop_portal.common.tabular import csv_response, xlsx_response
from territories.models import Territory

from . import rules as _rules  # noqa: F401  (registers the app's permissions)
from .comparison import audience_of, chosen, comparison, comparison_body, comparison_index
from .forms import ImportForm, IndicatorForm
from .fragments import sheet_body
from .importers import validate_file
from .models import ImportBatch, Indicator, Sheet, audience_for
from .services import ReperesError, save_indicator, start_import, start_roll_back
from .sheets import DEMO_LABEL, REGION_NAME

FORMATS = ("csv", "xlsx")


def queue_sheet_build(territory, audience, sheet, requester):
    """A pending build of this sheet, started if needed (identical pending builds are shared)."""
    marker = f"{sheet.pk}-{sheet.built_at.timestamp() if sheet and sheet.built_at else 0}" if sheet else "new"
    return start_job(
        kind="reperes.build_sheets",
        params={"territories": [territory.code], "audiences": [audience]},
        requester=requester if requester.is_authenticated else None,
        fingerprint=f"sheet:{territory.code}:{audience}:{marker}",
    )


SHEET_BUILDING_KINDS = ("reperes.build_sheets", "reperes.geography", "reperes.aggregate", "reperes.import")


def pending_sheet_job(territory) -> Job | None:
    """The unfinished job that will rebuild this territory's sheet, if any (read only: a GET never starts one)."""
    jobs = Job.objects.filter(
        kind__in=SHEET_BUILDING_KINDS, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
    ).order_by("-created_at")
    for job in jobs[:20]:
        codes = job.params.get("territories")
        if not codes or territory.code in codes:
            return job
    return None


class IndexView(PublicMixin, TemplateView):
    template_name = "reperes/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = list(
            Indicator.objects.for_user(self.request.user)
            .annotate(values=Count("observations"), last=Max("observations__period"))
            .order_by("theme", "order", "label")
        )
        context.update(
            territories=Territory.objects.select_related("departement").order_by("departement__code", "name"),
            indicators=indicators,
            has_demo=any(i.is_demo for i in indicators),
            demo_label=DEMO_LABEL,
            members_view=audience_for(self.request.user) == Sheet.Audience.MEMBERS,
        )
        return context


class SheetMixin:
    def get_sheet(self, *, light: bool = False):
        """The sheet of the URL's territory for the user's audience; ``light``: without its snapshot and map.

        The light sheet (what the page needs to decide) and its territory are read from the cache until a sheet is
        built or marked stale (the ``sheets`` data version) or the territories change: the same for every reader of
        an audience (public or members)."""
        code = self.kwargs["code"]
        self.audience = audience_for(self.request.user)

        def lookup(light: bool):
            territory = get_object_or_404(Territory.objects.select_related("departement"), code=code)
            sheets = Sheet.objects.filter(territory=territory, audience=self.audience)
            return territory, (sheets.defer("snapshot", "map_svg") if light else sheets).first()

        if light:
            self.territory, sheet = versions.cached(
                "reperes:light-sheet",
                apps=("sheets", "territories"),
                vary=(code, self.audience),
                build=lambda: lookup(True),
            )
            return sheet
        self.territory, sheet = lookup(False)
        return sheet


class SheetView(PublicMixin, SheetMixin, TemplateView):
    template_name = "reperes/sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = self.get_sheet(light=True)
        job = None
        if sheet is None or sheet.stale:
            job = pending_sheet_job(self.territory)
        context.update(
            territory=self.territory,
            sheet=sheet,
            # Rendered once per built sheet and map choice; the snapshot is read only to render it.
            sheet_body=sheet_body(sheet, self.territory, self.request.GET.get("carte") or "") if sheet else "",
            job=job,
            updating=sheet is None or sheet.stale,
            members_view=self.audience == Sheet.Audience.MEMBERS,
        )
        return context

    def post(self, request, *args, **kwargs):
        """« Mettre à jour la fiche »: queue its build (shared with an identical pending one), then show the page."""
        sheet = self.get_sheet(light=True)
        if sheet is None or sheet.stale:
            queue_sheet_build(self.territory, self.audience, sheet, request.user)
        return redirect(reverse("reperes:sheet", args=[self.territory.code]))


def sheet_rows(snapshot):
    headers = [
        "Indicateur (code)",
        "Indicateur",
        "Unité",
        "Période",
        snapshot["territory"]["name"],
        snapshot["territory"]["departement"],
        REGION_NAME,
        "Données de démonstration",
    ]
    rows = []
    for code, data in snapshot["series"].items():
        for i, period in enumerate(data["periods"]):
            rows.append(
                [
                    code,
                    data["label"],
                    data["unit"],
                    period,
                    data["territory"][i],
                    data["departement"][i],
                    data["region"][i],
                    "oui" if data["is_demo"] else "non",
                ]
            )
    return headers, rows


class SheetDataView(PublicMixin, SheetMixin, View):
    def get(self, request, *args, **kwargs):
        if kwargs["fmt"] not in FORMATS:
            raise Http404
        sheet = self.get_sheet()
        if sheet is None or not sheet.snapshot:
            raise Http404("Fiche en préparation.")
        headers, rows = sheet_rows(sheet.snapshot)
        name = f"reperes-{self.territory.code.lower()}"
        if kwargs["fmt"] == "csv":
            return csv_response(f"{name}.csv", headers, rows)
        return xlsx_response(f"{name}.xlsx", headers, rows, sheet_title="Repères")


class SheetPdfView(PublicMixin, SheetMixin, TemplateView):
    """The PDF is built in the background; an unchanged sheet's PDF is served at once."""

    template_name = "reperes/sheet_pdf.html"

    def get(self, request, *args, **kwargs):
        """Serves the PDF if it is built for the current data; otherwise a page that shows its production or offers
        to start it (POST). A GET never starts a build."""
        sheet = self.get_sheet()
        if sheet is None or not sheet.snapshot:
            raise Http404("Fiche en préparation.")
        job = reusable_job("reperes.sheet_pdf", self.fingerprint(sheet))
        if job is not None and job.status == Job.Status.DONE and job.has_file:
            try:
                handle = job.file.open("rb")
            except FileNotFoundError:
                raise Http404 from None
            return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
        return self.render_to_response({"territory": self.territory, "job": job, "sheet": sheet})

    def post(self, request, *args, **kwargs):
        sheet = self.get_sheet()
        if sheet is None or not sheet.snapshot:
            raise Http404("Fiche en préparation.")
        start_job(
            kind="reperes.sheet_pdf",
            params={"sheet": sheet.pk, "audience": sheet.audience},
            requester=request.user if request.user.is_authenticated else None,
            fingerprint=self.fingerprint(sheet),
        )  # an identical pending or finished one is reused
        return redirect(reverse("reperes:sheet_pdf", args=[self.territory.code]))

    @staticmethod
    def fingerprint(sheet) -> str:
        return f"{sheet.fingerprint}:{sheet.audience}"


class CompareMixin:
    def comparison(self):
        """The data of the comparison asked for (None: no indicator has values by territory)."""
        index = comparison_index(audience_of(self.request.user))
        choice = chosen(index, self.request.GET.get("indicateur") or "", self.request.GET.get("periode") or "")
        return comparison(index, *choice) if choice else None


class CompareView(PublicMixin, TemplateView):
    """The content is cached per reader class, indicator and period (reperes/comparison.py)."""

    template_name = "reperes/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["body"] = comparison_body(
            audience_of(self.request.user),
            self.request.GET.get("indicateur") or "",
            self.request.GET.get("periode") or "",
        )
        return context


class CompareDataView(PublicMixin, CompareMixin, View):
    def get(self, request, *args, **kwargs):
        if kwargs["fmt"] not in FORMATS:
            raise Http404
        data = self.comparison()
        if data is None:
            raise Http404
        indicator = data["indicator"]
        headers = [
            "Rang",
            "Code du territoire",
            "Territoire",
            "Département",
            "Indicateur",
            "Période",
            "Valeur",
            "Unité",
        ]
        rows = [
            [
                row["rank"],
                row["territory"].code,
                row["territory"].name,
                row["territory"].departement.name,
                indicator.label,
                data["period"],
                row["value"],
                indicator.unit,
            ]
            for row in data["table"]
        ]
        name = f"reperes-comparaison-{indicator.code}-{data['period']}"
        if kwargs["fmt"] == "csv":
            return csv_response(f"{name}.csv", headers, rows)
        return xlsx_response(f"{name}.xlsx", headers, rows, sheet_title="Comparaison")


# --------------------------------------------------------------------------------------------------------------------
# Staff pages


class StaffMixin(StaffViewMixin):
    permission_required = "reperes.manage"


class ImportListView(StaffMixin, ListView):
    template_name = "reperes/staff/import_list.html"
    context_object_name = "batches"
    paginate_by = 30

    def get_queryset(self):
        return ImportBatch.objects.select_related("created_by", "rolled_back_by").order_by("-created_at", "-pk")


class ImportFile(StaffMixin, ImportMixin):
    """A file of values: checked first (nothing written), then applied by a background job (one transaction)."""

    checker = staticmethod(validate_file)
    check_url_name = "reperes_staff:import_new"
    confirm_url_name = "reperes_staff:import_confirm"


class ImportCreateView(ImportFile, ImportCheckView):
    """Step 1: upload and dry run (nothing written); errors listed by line and column."""

    template_name = "reperes/staff/import_form.html"
    form_class = ImportForm

    def get_check_params(self, form):
        return {"format": form.cleaned_data["format"], "options": form.options()}

    def get_result_context(self, form, result, params):
        return {
            "format": params["format"],
            "options_json": json.dumps(params["options"]),
            "result_indicators": Indicator.objects.filter(code__in=result.indicator_codes).order_by("label"),
        }

    def get_context_data(self, **kwargs):
        for key in ("format", "options_json", "result_indicators"):
            kwargs.setdefault(key, None)
        return super().get_context_data(**kwargs)


class ImportConfirmView(ImportFile, BaseImportConfirmView):
    """Step 2: the checked file is applied by a background job (one transaction), with a progress bar."""

    def get_check_params(self):
        format = self.request.POST.get("format", "")
        try:
            options = json.loads(self.request.POST.get("options") or "{}")
        except ValueError:
            options = None
        if format not in ImportBatch.Format.values or not isinstance(options, dict):
            raise ImportRefused("Paramètres d’import invalides : déposez le fichier à nouveau.")
        return {"format": format, "options": options}

    def apply(self, result, *, data, filename, token):
        self.batch, _job = start_import(user=self.request.user, data=data, filename=filename, **self.params)
        return "Import lancé : suivez son avancement ci-dessous."

    def get_success_url(self):
        return self.batch.get_absolute_url()


class ImportDetailView(StaffMixin, TemplateView):
    template_name = "reperes/staff/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=kwargs["pk"])
        jobs = {job.uuid: job for job in Job.objects.filter(uuid__in=[batch.job_uuid, batch.rollback_job_uuid])}
        context["batch"] = batch
        context["job"] = jobs.get(batch.job_uuid)
        context["rollback_job"] = rollback_job = jobs.get(batch.rollback_job_uuid)
        context["rollback_running"] = rollback_job is not None and not rollback_job.is_finished
        context["indicators"] = Indicator.objects.filter(code__in=batch.indicator_codes).order_by("label")
        return context


class ImportRollbackView(StaffMixin, View):
    """Queues the roll-back (background job, one transaction) and shows its progress on the import's page."""

    def post(self, request, *args, **kwargs):
        batch = get_object_or_404(ImportBatch, pk=kwargs["pk"])
        try:
            job = start_roll_back(batch=batch, user=request.user)
        except ReperesError as exc:
            messages.error(request, str(exc))
            return redirect(batch.get_absolute_url())
        job.refresh_from_db()
        if not job.is_finished:  # without a worker (tasks run inline) it is: the page shows its outcome
            messages.info(request, "Annulation lancée : suivez son avancement ci-dessous.")
        return redirect(batch.get_absolute_url())


class IndicatorListView(StaffMixin, ListView):
    template_name = "reperes/staff/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.annotate(values=Count("observations")).order_by("theme", "order", "label")


class IndicatorFormMixin(ServiceFormMixin, StaffMixin):
    model = Indicator
    form_class = IndicatorForm
    template_name = "reperes/staff/indicator_form.html"

    def perform(self, form):
        return save_indicator(indicator=form.instance, user=self.request.user)

    def get_success_message(self, indicator):
        return f"Indicateur « {indicator.label} » enregistré."

    def get_success_url(self, result):
        return reverse("reperes_staff:indicator_list")


class IndicatorCreateView(IndicatorFormMixin, CreateView):
    def post(self, request, *args, **kwargs):
        self.object = None  # as CreateView.post does, before the form
        return super().post(request, *args, **kwargs)


class IndicatorUpdateView(IndicatorFormMixin, UpdateView):
    def post(self, request, *args, **kwargs):
        self.object = self.get_object()  # as UpdateView.post does, before the form
        return super().post(request, *args, **kwargs)


class RebuildView(StaffMixin, View):
    """Full aggregation (then the sheets), or the sheets only, as background jobs."""

    def post(self, request, *args, **kwargs):
        if request.POST.get("what") == "sheets":
            job = start_job(kind="reperes.build_sheets", params={}, requester=request.user)
        else:
            job = start_job(kind="reperes.aggregate", params={}, requester=request.user)
        return redirect(job.get_absolute_url())


def staff_home_url():
    return reverse("reperes_staff:import_list")
