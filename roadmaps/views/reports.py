"""Progress reports: the page of a Clefop's report (request, previous reports) and the regional bundle page.

Producing runs in the background (roadmaps/reports/): the POST redirects to the job page (HTMX progress bar,
permission-checked download). An unchanged request is served the existing report at once.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import TemplateView

from srefop_portal.common.permissions import PermissionRequiredMixin

from ..reports.data import current_roadmap
from ..reports.service import (
    ReportError,
    regional_bundles,
    request_regional_bundle,
    request_territory_report,
    territory_reports,
)
from .base import BodyMixin

HISTORY = 10


class TerritoryReportView(BodyMixin, TemplateView):
    permission_required = "roadmaps.download_report"
    template_name = "roadmaps/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = self.get_body()
        roadmap, _newer = current_roadmap(body)
        context["current"] = roadmap
        context["reports"] = list(territory_reports(body)[:HISTORY])
        return context

    def post(self, request, *args, **kwargs):
        try:
            job = request_territory_report(body=self.get_body(), user=request.user)
        except ReportError as exc:
            messages.error(request, str(exc))
            return redirect("roadmaps:territory_report", slug=self.get_body().slug)
        if job.status == job.Status.DONE:
            messages.info(request, "Les données n’ont pas changé depuis ce rapport : il vous est servi directement.")
        return redirect(job.get_absolute_url())


class RegionalReportsView(PermissionRequiredMixin, TemplateView):
    permission_required = "roadmaps.download_regional_bundle"
    template_name = "roadmaps/regional_reports.html"

    def get_context_data(self, **kwargs):
        from ..reports.render import synthesis_rows

        context = super().get_context_data(**kwargs)
        context["bundles"] = list(regional_bundles()[:HISTORY])
        context["rows"] = synthesis_rows()
        return context

    def post(self, request, *args, **kwargs):
        try:
            job = request_regional_bundle(user=request.user)
        except ReportError as exc:
            messages.error(request, str(exc))
            return redirect("roadmaps:regional_reports")
        if job.status == job.Status.DONE:
            messages.info(request, "Les données n’ont pas changé depuis ce recueil : il vous est servi directement.")
        return redirect(job.get_absolute_url())
