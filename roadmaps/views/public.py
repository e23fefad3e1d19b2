"""Public pages: préconisations, adopted roadmaps, open data."""

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView

from srefop_portal.common import versions
from srefop_portal.common.permissions import PublicMixin
from srefop_portal.common.querystring import page_links
from srefop_portal.common.tabular import csv_response
from territories.models import Territory

from ..exports import open_data_json, open_data_rows, open_data_schema
from ..fragments import PUBLIC_APPS, public_roadmap, public_roadmap_body
from ..models import (
    Action,
    Ambition,
    AmbitionSheet,
    EvolutionKind,
    NafSection,
    Recommendation,
    Roadmap,
    RomeDomain,
)

FILTERS = ("ambition", "fiche", "domaine", "rome", "naf", "territoire", "evolution", "q")
# Filters chosen in a list (their values are bounded by the référentiel) and typed ones (any text).
SELECT_FILTERS = ("ambition", "fiche", "domaine", "naf", "territoire", "evolution")
TYPED_FILTERS = ("rome", "q")
# Data shown by the list of préconisations: the référentiel, the actions counted (roadmaps), the territories.
RECOMMENDATION_APPS = ("roadmaps", "territories")


def recommendation_choices() -> dict:
    """The options of the filters of the préconisations, cached until the référentiel or the territories change."""

    def build():
        return {
            "ambitions": list(Ambition.objects.all()),
            "sheets": list(AmbitionSheet.objects.all()),
            "domains": list(RomeDomain.objects.all()),
            "sections": list(NafSection.objects.all()),
            "territories": list(Territory.objects.order_by("code")),
            "evolutions": list(EvolutionKind.choices),
        }

    return versions.cached("roadmaps:recommendation-choices", apps=RECOMMENDATION_APPS, build=build)


def choice_values(choices: dict) -> dict[str, set[str]]:
    """The values each select filter may take (as the filter form offers them)."""
    return {
        "ambition": {str(a.code) for a in choices["ambitions"]},
        "fiche": {str(s.code) for s in choices["sheets"]},
        "domaine": {str(d.code) for d in choices["domains"]},
        "naf": {str(s.code) for s in choices["sections"]},
        "territoire": {"region", *(str(t.code) for t in choices["territories"])},
        "evolution": {str(value) for value, _ in choices["evolutions"]},
    }


class RecommendationListView(PublicMixin, ListView):
    """The préconisations, filtered. Everything below the title (filters, count, table, pagination) is the same for
    every reader: it is a fragment cached until the data changes, per page and per filter values when these are
    options of the form (bounded keys); a typed search (« Recherche », « Code ROME ») or a value the form does not
    offer is rendered at each request, so that requests cannot fill the cache."""

    template_name = "roadmaps/recommendation_list.html"
    body_template_name = "roadmaps/_recommendation_list_body.html"
    context_object_name = "recommendations"
    paginate_by = 30

    @cached_property
    def choices(self) -> dict:
        return recommendation_choices()

    @cached_property
    def selected(self) -> dict:
        return {name: self.request.GET.get(name, "") for name in FILTERS}

    def get(self, request, *args, **kwargs):
        vary = self.cache_vary()
        if vary is None:
            body = mark_safe(self.render_body())  # rendered by render_to_string (autoescaped)
        else:
            body = versions.cached_html(
                "roadmaps:recommendation-list",
                apps=RECOMMENDATION_APPS,
                vary=vary,
                build=self.render_body,
                compact=True,
            )
        return self.render_to_response({"view": self, "list_body": body})

    def get_template_names(self):
        return [self.template_name]

    def cache_vary(self) -> tuple | None:
        """The key of the list's fragment (None: not cached): the select filters and the page number."""
        if any(self.selected[name] for name in TYPED_FILTERS):
            return None
        allowed = choice_values(self.choices)
        if any(self.selected[name] and self.selected[name] not in allowed[name] for name in SELECT_FILTERS):
            return None
        page = self.request.GET.get(self.page_kwarg) or "1"
        if page != "last":
            if not (page.isdigit() and len(page) <= 4):
                return None  # rendered as before (a page that does not exist: 404)
            page = str(int(page))
        return (*(self.selected[name] for name in SELECT_FILTERS), page)

    def render_body(self) -> str:
        """The list below the title, without request (an unknown page raises Http404 and caches nothing)."""
        self.object_list = self.get_queryset()
        return render_to_string(self.body_template_name, self.get_context_data())

    def get_queryset(self):
        params = self.selected
        queryset = Recommendation.objects.select_related("sheet__ambition").prefetch_related("territories")
        if params["ambition"]:
            queryset = queryset.filter(sheet__ambition__code=params["ambition"])
        if params["fiche"]:
            queryset = queryset.filter(sheet__code=params["fiche"])
        if params["domaine"]:
            queryset = queryset.filter(rome_codes__domain__code=params["domaine"])
        if params["rome"]:
            queryset = queryset.filter(rome_codes__code=params["rome"].strip().upper())
        if params["naf"]:
            queryset = queryset.filter(naf_sections__code=params["naf"]) | queryset.filter(
                naf_divisions__section__code=params["naf"]
            )
        if params["territoire"] == "region":
            queryset = queryset.filter(territories__isnull=True)
        elif params["territoire"]:
            queryset = queryset.filter(territories__code=params["territoire"])
        if params["evolution"]:
            queryset = queryset.filter(evolution=params["evolution"])
        queryset = queryset.search(params["q"])
        return queryset.with_action_counts().distinct().order_by("code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            self.choices,
            selected=self.selected,
            has_examples=Recommendation.objects.filter(is_example=True).exists(),
            total=context["paginator"].count,
            page_links=page_links({name: value for name, value in self.selected.items() if value}, context["page_obj"]),
        )
        return context


class RecommendationDetailView(PublicMixin, TemplateView):
    """A préconisation and the public actions taking it up: the same for every reader, cached per préconisation
    until the data changes and at most for the day (« en retard » badges). An unknown code caches nothing (404)."""

    template_name = "roadmaps/recommendation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = self.kwargs["code"]
        data = versions.cached(
            "roadmaps:recommendation-page",
            apps=PUBLIC_APPS,
            vary=(code, timezone.localdate().isoformat()),
            build=lambda: self.build(code),
        )
        context["recommendation"] = {"code": data["code"], "title": data["title"]}
        context["page_body"] = mark_safe(data["html"])  # rendered by render_to_string (autoescaped)
        return context

    @staticmethod
    def build(code: str) -> dict:
        recommendation = get_object_or_404(
            Recommendation.objects.select_related("sheet__ambition").prefetch_related(
                "rome_codes", "naf_divisions", "naf_sections", "territories"
            ),
            code=code,
        )
        actions = list(
            Action.objects.public()
            .filter(recommendations=recommendation)
            .select_related("roadmap__body__territory", "priority")
            .order_by("roadmap__body__territory__code", "title")
        )
        territory_codes = sorted({a.roadmap.body.territory.code for a in actions if a.roadmap.body.territory})
        html = render_to_string(
            "roadmaps/_recommendation_detail_body.html",
            {"recommendation": recommendation, "actions": actions, "territory_codes": territory_codes},
        )
        return {"code": recommendation.code, "title": recommendation.title, "html": versions.compact_html(html)}


class PublicRoadmapListView(PublicMixin, TemplateView):
    """The adopted roadmap of each territory: the same for every reader, cached until the data changes."""

    template_name = "roadmaps/public_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_body"] = versions.cached_html(
            "roadmaps:public-list", apps=PUBLIC_APPS, build=self.render_body, compact=True
        )
        return context

    @staticmethod
    def render_body() -> str:
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
        return render_to_string(
            "roadmaps/_public_list_body.html", {"territories": territories, "published_count": len(roadmaps)}
        )


class PublicRoadmapDetailView(PublicMixin, TemplateView):
    """An adopted roadmap as the public reads it: the page is a fragment shared by every reader
    (``fragments.public_roadmap_body``); only the « version remplacée » notice depends on the request."""

    template_name = "roadmaps/public_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmap = self.found["roadmap"]
        context["roadmap"] = roadmap
        context["page"] = public_roadmap_body(roadmap)
        context["replaced_version"] = self.replaced_version(roadmap)
        return context

    def get(self, request, *args, **kwargs):
        """A superseded adopted version's address (links in e-mails, bookmarks, open data) leads, permanently, to
        the version adopted since, which says which version the reader was looking for."""
        self.found = public_roadmap(self.kwargs["pk"])
        if "redirect" in self.found:
            return HttpResponsePermanentRedirect(self.found["redirect"])
        if "roadmap" not in self.found:
            raise Http404("Aucune feuille de route adoptée à cette adresse.")
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
