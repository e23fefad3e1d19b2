"""Public pages: préconisations, adopted roadmaps, open data."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from srefop_portal.common.permissions import PublicMixin
from srefop_portal.common.tabular import csv_response
from territories.models import Territory

from ..exports import open_data_json, open_data_rows, open_data_schema
from ..fragments import roadmap_detail_context
from ..models import (
    Action,
    Ambition,
    AmbitionSheet,
    AnnualReview,
    EvolutionKind,
    NafSection,
    Recommendation,
    Roadmap,
    RoadmapStatus,
    RomeDomain,
)

FILTERS = ("ambition", "fiche", "domaine", "rome", "naf", "territoire", "evolution", "q")


class RecommendationListView(PublicMixin, ListView):
    template_name = "roadmaps/recommendation_list.html"
    context_object_name = "recommendations"
    paginate_by = 30

    def get_queryset(self):
        params = self.request.GET
        queryset = Recommendation.objects.select_related("sheet__ambition").prefetch_related("territories")
        if params.get("ambition"):
            queryset = queryset.filter(sheet__ambition__code=params["ambition"])
        if params.get("fiche"):
            queryset = queryset.filter(sheet__code=params["fiche"])
        if params.get("domaine"):
            queryset = queryset.filter(rome_codes__domain__code=params["domaine"])
        if params.get("rome"):
            queryset = queryset.filter(rome_codes__code=params["rome"].strip().upper())
        if params.get("naf"):
            queryset = queryset.filter(naf_sections__code=params["naf"]) | queryset.filter(
                naf_divisions__section__code=params["naf"]
            )
        if params.get("territoire") == "region":
            queryset = queryset.filter(territories__isnull=True)
        elif params.get("territoire"):
            queryset = queryset.filter(territories__code=params["territoire"])
        if params.get("evolution"):
            queryset = queryset.filter(evolution=params["evolution"])
        queryset = queryset.search(params.get("q", ""))
        return queryset.with_action_counts().distinct().order_by("code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            ambitions=Ambition.objects.all(),
            sheets=AmbitionSheet.objects.all(),
            domains=RomeDomain.objects.all(),
            sections=NafSection.objects.all(),
            territories=Territory.objects.order_by("code"),
            evolutions=EvolutionKind.choices,
            selected={name: self.request.GET.get(name, "") for name in FILTERS},
            has_examples=Recommendation.objects.filter(is_example=True).exists(),
            total=context["paginator"].count,
        )
        return context


class RecommendationDetailView(PublicMixin, DetailView):
    template_name = "roadmaps/recommendation_detail.html"
    context_object_name = "recommendation"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Recommendation.objects.select_related("sheet__ambition").prefetch_related(
            "rome_codes", "naf_divisions", "naf_sections", "territories"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = (
            Action.objects.public()
            .filter(recommendations=self.object)
            .select_related("roadmap__body__territory", "priority")
            .order_by("roadmap__body__territory__code", "title")
        )
        context["actions"] = actions
        context["territory_codes"] = sorted(
            {a.roadmap.body.territory.code for a in actions if a.roadmap.body.territory}
        )
        return context


class PublicRoadmapListView(PublicMixin, TemplateView):
    template_name = "roadmaps/public_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmaps = {
            r.body_id: r
            for r in Roadmap.objects.published().select_related("body").order_by("body_id", "start_year", "version")
        }
        territories = list(
            Territory.objects.select_related("departement", "clefop").order_by("departement__code", "name")
        )
        for territory in territories:
            clefop = getattr(territory, "clefop", None)
            territory.published_roadmap = roadmaps.get(clefop.pk) if clefop else None
        context["territories"] = territories
        context["published_count"] = len(roadmaps)
        return context


class PublicRoadmapDetailView(PublicMixin, TemplateView):
    template_name = "roadmaps/public_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmap = get_object_or_404(
            Roadmap.objects.published().select_related("body__territory__departement"), pk=self.kwargs["pk"]
        )
        context["roadmap"] = roadmap
        context.update(roadmap_detail_context(roadmap, self.request.user, public=True))
        context["latest_review"] = AnnualReview.objects.of_history(roadmap).order_by("-date", "-pk").first()
        context["replaced_version"] = self.replaced_version(roadmap)
        return context

    def get(self, request, *args, **kwargs):
        """A superseded adopted version's address (links in e-mails, bookmarks, open data) leads, permanently, to
        the version adopted since, which says which version the reader was looking for."""
        replacement = current_replacement(self.kwargs["pk"])
        if replacement is not None:
            return HttpResponsePermanentRedirect(f"{replacement.get_public_url()}?remplace={self.kwargs['pk']}")
        return super().get(request, *args, **kwargs)

    def replaced_version(self, roadmap):
        replaced = self.request.GET.get("remplace", "")
        if not replaced.isdigit():
            return None
        return (
            Roadmap.objects.filter(
                pk=int(replaced),
                body_id=roadmap.body_id,
                start_year=roadmap.start_year,
                end_year=roadmap.end_year,
                version__lt=roadmap.version,
                plenary_date__isnull=False,
            )
            .only("pk", "version", "plenary_date")
            .first()
        )


def current_replacement(pk: int):
    """The adopted version that replaced this archived (once adopted) roadmap, if any."""
    old = Roadmap.objects.filter(pk=pk, status=RoadmapStatus.ARCHIVED, plenary_date__isnull=False).first()
    if old is None:
        return None
    return (
        Roadmap.objects.published()
        .filter(body_id=old.body_id, start_year=old.start_year, end_year=old.end_year, version__gt=old.version)
        .order_by("-version")
        .first()
    )


class OpenDataView(PublicMixin, TemplateView):
    template_name = "roadmaps/open_data.html"


class OpenDataCsvView(PublicMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        headers, rows = open_data_rows()
        # The machine format its schema publishes (dot decimal, ISO dates), not the French spreadsheet one.
        return csv_response("feuilles-de-route-adoptees.csv", headers, rows, machine=True)


class OpenDataSchemaView(PublicMixin, TemplateView):
    """The Table Schema of the open-data CSV."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(open_data_schema(), json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Access-Control-Allow-Origin"] = "*"
        return response


class OpenDataJsonView(PublicMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        response = JsonResponse(open_data_json(), json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Access-Control-Allow-Origin"] = "*"
        return response
