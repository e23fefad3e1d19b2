"""Cached parts of the public territory pages (home, list of territories, page of a territory).

They depend on the geography and the composition only, never on who is reading: each is built once per version of
the ``territories`` data (see ``srefop_portal.common.versions``) and served from the cache until a commune, a
territory or the composition changes.
"""

from __future__ import annotations

from django.db.models import Prefetch, Sum
from django.template.loader import render_to_string

from srefop_portal.common import versions

from .maps import region_map_svg, territory_map_svg
from .models import Commune, CompositionStatus, Departement, Territory

APPS = ("territories",)


def departements_with_territories():
    territories = Territory.objects.with_stats().order_by("name")
    return Departement.objects.annotate(
        population_total=Sum("communes__population"),
    ).prefetch_related(Prefetch("territories", queryset=territories, to_attr="territory_list"))


def region_overview() -> dict:
    """Figures, table of the territories by département and map of the region (home page, list of territories)."""

    def build():
        departements = list(departements_with_territories())
        return {
            "territory_count": sum(len(d.territory_list) for d in departements),
            "region_population": sum(d.population_total or 0 for d in departements),
            "composition": CompositionStatus.current(),
            "departements_table": render_to_string(
                "territories/_departements_table.html", {"departements": departements}
            ),
            "map_svg": region_map_svg(),
        }

    return versions.cached("territories:region-overview", apps=APPS, build=build)


def epci_groups(territory: Territory) -> list[dict]:
    """The territory's communes grouped by EPCI (an EPCI shared with another territory is flagged)."""
    communes = list(Commune.objects.filter(territory=territory).select_related("epci").order_by("epci__name", "name"))
    groups: dict = {}
    for commune in communes:
        key = commune.epci.siren if commune.epci else ""
        group = groups.setdefault(key, {"epci": commune.epci, "communes": [], "population": 0, "straddles": False})
        group["communes"].append(commune)
        group["population"] += commune.population
    straddling = set(
        Commune.objects.filter(epci__siren__in=[k for k in groups if k])
        .exclude(territory=territory)
        .values_list("epci__siren", flat=True)
    )
    for key, group in groups.items():
        group["straddles"] = key in straddling
    return sorted(groups.values(), key=lambda g: (g["epci"] is None, g["epci"].name if g["epci"] else ""))


def territory_composition(territory: Territory) -> dict:
    """Figures, composition by EPCI and map of one territory."""

    def build():
        stats = (
            Territory.objects.filter(pk=territory.pk)
            .with_stats()
            .values("population_total", "commune_count", "epci_count")
            .get()
        )
        composition = CompositionStatus.current()
        return {
            "stats": stats,
            "composition": composition,
            "composition_html": render_to_string(
                "territories/_territory_composition.html",
                {"epci_groups": epci_groups(territory), "composition": composition},
            ),
            "map_svg": territory_map_svg(territory),
        }

    return versions.cached("territories:territory", apps=APPS, vary=(territory.pk,), build=build)
