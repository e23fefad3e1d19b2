"""Following the strategy: regional and départemental dashboards, coverage of the préconisations."""

from collections import defaultdict

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from clefop.models import Body, BodyKind, perimeter_of
from srefop_portal.common import versions
from srefop_portal.common.permissions import PermissionRequiredMixin
from srefop_portal.common.tabular import xlsx_response
from territories.models import Departement, Territory

from ..models import (
    Action,
    ActionStatus,
    Ambition,
    AmbitionSheet,
    Recommendation,
    Roadmap,
    RoadmapStatus,
    departement_rollup,
    region_rollup,
)

# What the dashboards and the coverage show: roadmaps and actions, bodies, territories.
DASHBOARD_APPS = ("roadmaps", "clefop", "territories")


def territory_rows(territories):
    """Per territory: its working roadmap (latest non-archived version) with stats, and the published one."""
    territories = list(territories)
    body_ids = [t.clefop.pk for t in territories if getattr(t, "clefop", None)]
    roadmaps = (
        Roadmap.objects.filter(body_id__in=body_ids)
        .exclude(status=RoadmapStatus.ARCHIVED)
        .with_stats()
        .order_by("body_id", "-start_year", "-version")
    )
    working, published = {}, {}
    for roadmap in roadmaps:
        working.setdefault(roadmap.body_id, roadmap)
        if roadmap.status == RoadmapStatus.ADOPTED:
            published.setdefault(roadmap.body_id, roadmap)
    rows = []
    for territory in territories:
        clefop = getattr(territory, "clefop", None)
        roadmap = working.get(clefop.pk) if clefop else None
        rows.append(
            {
                "territory": territory,
                "body": clefop,
                "roadmap": roadmap,
                "published": published.get(clefop.pk) if clefop else None,
                "statuses": [
                    {"label": label, "value": value, "count": getattr(roadmap, f"status_{value}", 0) if roadmap else 0}
                    for value, label in ActionStatus.choices
                ],
            }
        )
    return rows


class RegionDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "roadmaps.view_region_dashboard"
    template_name = "roadmaps/dashboard_region.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dashboard"] = region_dashboard_html()
        return context


def region_dashboard_html() -> str:
    """The regional dashboard: the same for every reader allowed to open it (nothing in it depends on who reads),
    rendered once per version of the roadmaps, bodies and territories, and per day (actions fall overdue)."""

    def build():
        territories = Territory.objects.select_related("departement", "clefop").order_by("departement__code", "name")
        return render_to_string(
            "roadmaps/_dashboard_region_body.html",
            {
                "rows": territory_rows(territories),
                "departements": departement_rollup(),
                "region": region_rollup(),
                "status_choices": ActionStatus.choices,
            },
        )

    return versions.cached_html(
        "roadmaps:dashboard-region",
        apps=DASHBOARD_APPS,
        vary=(timezone.localdate().isoformat(),),
        build=build,
        compact=True,
    )


class DepartementDashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "roadmaps.view_departement_dashboard"
    template_name = "roadmaps/dashboard_departement.html"

    def get_permission_object(self):
        if not hasattr(self, "_departement"):
            self._departement = get_object_or_404(Departement, code=self.kwargs["code"])
        return self._departement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departement = self.get_permission_object()
        context.update(departement=departement, dashboard=departement_dashboard_html(departement, self.request.user))
        return context


def action_scope(user) -> tuple:
    """What ``Action.objects.for_user`` lets ``user`` see depends on these only (their perimeter: staff powers, the
    Crefop, their Cdefop départements, the bodies they belong to, which show their restricted actions): a reader
    class shared by everyone with the same memberships, never the person."""
    perimeter = perimeter_of(user)
    if perimeter.is_staff:
        return ("staff",)
    return (perimeter.is_crefop, tuple(sorted(perimeter.cdefop_departements)), tuple(sorted(perimeter.positions)))


def departement_dashboard_html(departement, user) -> str:
    """The body of a département's dashboard: its rollup and territories (the same for every reader) and the overdue
    actions the reader may see (restricted ones for the Clefop's own members), rendered once per version of the
    roadmaps, bodies and territories, per day (actions fall overdue) and per reader class (``action_scope``)."""

    def build():
        territories = Territory.objects.filter(departement=departement).select_related("departement", "clefop")
        return render_to_string(
            "roadmaps/_dashboard_departement_body.html",
            {
                "rows": territory_rows(territories.order_by("name")),
                "rollup": departement_rollup().filter(pk=departement.pk).first(),
                "status_choices": ActionStatus.choices,
                "overdue_actions": Action.objects.for_user(user)
                .overdue()
                .filter(roadmap__body__territory__departement=departement)
                .exclude(roadmap__status=RoadmapStatus.ARCHIVED)
                .select_related("roadmap__body__territory")
                .order_by("end_date")[:50],
            },
        )

    return versions.cached_html(
        "roadmaps:dashboard-departement",
        apps=DASHBOARD_APPS,
        vary=(departement.pk, timezone.localdate().isoformat(), action_scope(user)),
        build=build,
        compact=True,
    )


class DashboardHomeView(PermissionRequiredMixin, TemplateView):
    """pilotage/: the Crefop and staff see the region; a Cdefop member their département(s)."""

    permission_required = "roadmaps.view_dashboard"
    template_name = "roadmaps/dashboard_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        perimeter = perimeter_of(self.request.user)
        departements = Departement.objects.order_by("code")
        if not (perimeter.is_staff or perimeter.is_crefop):
            departements = departements.filter(pk__in=perimeter.cdefop_departements)
        context["departements"] = departements
        context["can_see_region"] = perimeter.is_staff or perimeter.is_crefop
        return context


def coverage_data(params):
    territories = list(Territory.objects.select_related("departement").order_by("departement__code", "name"))
    recommendations = Recommendation.objects.select_related("sheet__ambition").order_by("code")
    if params.get("ambition"):
        recommendations = recommendations.filter(sheet__ambition__code=params["ambition"])
    if params.get("fiche"):
        recommendations = recommendations.filter(sheet__code=params["fiche"])
    if params.get("departement"):
        territories = [t for t in territories if t.departement.code == params["departement"]]
    if params.get("q"):
        recommendations = recommendations.search(params["q"])
    recommendations = list(recommendations.prefetch_related("territories"))
    counts = defaultdict(int)
    for rec_id, territory_id, total in (
        Action.objects.filter(recommendations__in=[r.pk for r in recommendations])
        .exclude(roadmap__status=RoadmapStatus.ARCHIVED)
        .values_list("recommendations", "roadmap__body__territory")
        .annotate(total=Count("pk", distinct=True))
    ):
        counts[(rec_id, territory_id)] += total
    only_uncovered = params.get("non_couvertes") == "1"
    rows = []
    for rec in recommendations:
        targeted = {t.pk for t in rec.territories.all()}
        cells = [
            {"territory": t, "count": counts.get((rec.pk, t.pk), 0), "targeted": not targeted or t.pk in targeted}
            for t in territories
        ]
        total = sum(c["count"] for c in cells)
        if only_uncovered and total:
            continue
        # The drill-down URL once per row, not once per cell (18 cells a row).
        url = reverse("roadmaps:coverage_detail", args=[rec.code])
        rows.append({"recommendation": rec, "cells": cells, "total": total, "url": url})
    return territories, rows


COVERAGE_FILTERS = ("ambition", "fiche", "departement", "q", "non_couvertes")


def coverage_choices() -> dict:
    """The options of the coverage filters (cached with the referential and the territories)."""

    def build():
        return {
            "ambitions": list(Ambition.objects.all()),
            "sheets": list(AmbitionSheet.objects.all()),
            "departements": list(Departement.objects.order_by("code")),
        }

    return versions.cached("roadmaps:coverage-choices", apps=DASHBOARD_APPS, build=build)


def coverage_table(params: dict) -> dict:
    """The coverage matrix. The full matrix (no filter: the page as it opens, 70 x 18 cells) is the same for every
    reader of the page (it counts every action, restricted or not) and is cached while the data does not change;
    a filtered matrix is smaller and computed at each request, so that requests cannot fill the cache."""

    def build():
        territories, rows = coverage_data(params)
        table = render_to_string("roadmaps/_coverage_table.html", {"territories": territories, "rows": rows})
        return {"table": table, "covered": sum(1 for r in rows if r["total"]), "row_count": len(rows)}

    if any(params.values()):
        return build()

    def build_compact():  # kept without its template indentation: a third of the bytes (1 MB before)
        data = build()
        return data | {"table": versions.compact_html(data["table"])}

    return versions.cached("roadmaps:coverage", apps=DASHBOARD_APPS, build=build_compact)


def coverage_filters(selected: dict, xlsx_url: str) -> str:
    """The filter form of the coverage page. As the page opens (no filter) it is the same for every reader and
    cached with the referential; filtered, it is rendered at each request (any text may be typed in it)."""

    def build():
        return render_to_string(
            "roadmaps/_coverage_filters.html", {**coverage_choices(), "selected": selected, "xlsx_url": xlsx_url}
        )

    if any(selected.values()):
        return mark_safe(build())  # rendered by render_to_string (autoescaped)
    return versions.cached_html("roadmaps:coverage-filters", apps=DASHBOARD_APPS, build=build)


class CoverageView(PermissionRequiredMixin, TemplateView):
    permission_required = "roadmaps.view_dashboard"
    template_name = "roadmaps/coverage.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            territories, rows = coverage_data(request.GET)
            headers = ["Code", "Préconisation", "Fiche-ambition", *[t.code for t in territories], "Total"]
            data = [
                [
                    r["recommendation"].code,
                    r["recommendation"].title,
                    r["recommendation"].sheet.code,
                    *[c["count"] for c in r["cells"]],
                    r["total"],
                ]
                for r in rows
            ]
            return xlsx_response("couverture-preconisations.xlsx", headers, data, sheet_title="Couverture")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = {k: self.request.GET.get(k, "") for k in COVERAGE_FILTERS}
        query = self.request.GET.copy()
        query["format"] = "xlsx"  # the same link as {% querystring format='xlsx' %}
        coverage = coverage_table(selected)
        context.update(
            coverage_filters=coverage_filters(selected, f"?{query.urlencode()}"),
            selected=selected,
            coverage_table=mark_safe(coverage["table"]),
            covered=coverage["covered"],
            row_count=coverage["row_count"],
        )
        return context


class CoverageDetailView(PermissionRequiredMixin, TemplateView):
    """Drill-down: the actions taking up one préconisation, by territory (restricted ones only for members)."""

    permission_required = "roadmaps.view_dashboard"
    template_name = "roadmaps/coverage_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recommendation = get_object_or_404(Recommendation, code=self.kwargs["code"])
        actions = (
            Action.objects.for_user(self.request.user)
            .filter(recommendations=recommendation)
            .exclude(roadmap__status=RoadmapStatus.ARCHIVED)
            .select_related("roadmap__body__territory", "priority")
            .order_by("roadmap__body__territory__code", "title")
        )
        if self.request.GET.get("territoire"):
            actions = actions.filter(roadmap__body__territory__code=self.request.GET["territoire"])
        context.update(recommendation=recommendation, actions=actions, territory=self.request.GET.get("territoire", ""))
        return context


__all__ = ["Body", "BodyKind", "Q"]
