"""Maps of the territories, built from commune geometry (srefop_portal.common.maps) and cached.

Used by the pages and, later, inside PDFs: each function returns a self-contained SVG string.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from srefop_portal.common import versions
from srefop_portal.common.maps import MapArea, render_map

from .models import Commune, CompositionChange, CompositionStatus, Territory

CACHE_SECONDS = 24 * 3600


def composition_version() -> str:
    """Changes whenever the composition changes (every change writes a CompositionChange row)."""
    latest = CompositionChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    status = CompositionStatus.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    return f"{latest}-{status.timestamp() if status else 0}"


def map_version() -> str:
    """The version the cached maps are keyed on: the ``territories`` data version (no query), or the composition
    read from the database when the cache cannot say."""
    return versions.current("territories") or composition_version()


def _cached(key: str, builder):
    svg = cache.get(key)
    if svg is None:
        svg = builder()
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _departement_outlines(communes) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for code, _territory, dep in communes:
        groups.setdefault(dep, []).append(code)
    return [groups[k] for k in sorted(groups)]


def region_map_svg(*, fills: dict[str, str] | None = None, legend=None, title: str | None = None) -> str:
    """The 18 territories, each a link to its page; départements outlined."""
    key = "territories:region-map:" + hashlib.sha256(repr((map_version(), fills, legend, title)).encode()).hexdigest()

    def build():
        communes = list(Commune.objects.values_list("code", "territory__code", "departement__code"))
        territories = list(Territory.objects.select_related("departement").order_by("code"))
        members: dict[str, list[str]] = {}
        for code, territory_code, _dep in communes:
            if territory_code:
                members.setdefault(territory_code, []).append(code)
        areas = [
            MapArea(
                key=t.code,
                label=t.name,
                commune_codes=members.get(t.code, []),
                href=t.get_absolute_url(),
                fill=(fills or {}).get(t.code),
                description=t.departement.name,
            )
            for t in territories
            if members.get(t.code)
        ]
        return render_map(
            areas,
            title=title or "Carte des 18 territoires EFOP des Pays de la Loire",
            outline_groups=_departement_outlines(communes),
            legend=legend,
            show_labels=fills is None,
            map_id="carte-territoires",
        )

    return _cached(key, build)


def territory_map_svg(territory: Territory, *, fills: dict[str, str] | None = None, legend=None, title=None) -> str:
    """One territory, its communes grouped by EPCI (each EPCI an area)."""
    key = (
        f"territories:territory-map:{territory.pk}:"
        + hashlib.sha256(repr((map_version(), fills, legend, title)).encode()).hexdigest()
    )

    def build():
        communes = list(
            Commune.objects.filter(territory=territory).values_list("code", "epci__siren", "epci__name", "name")
        )
        groups: dict[str, tuple[str, list[str]]] = {}
        for code, siren, epci_name, commune_name in communes:
            group_key = siren or f"commune:{code}"
            label = epci_name or f"{commune_name} (commune hors EPCI)"
            groups.setdefault(group_key, (label, []))[1].append(code)
        areas = [
            MapArea(key=k, label=label, commune_codes=codes, fill=(fills or {}).get(k))
            for k, (label, codes) in sorted(groups.items(), key=lambda item: item[1][0])
        ]
        return render_map(
            areas,
            title=title or f"Carte du territoire {territory.name} par EPCI",
            legend=legend,
            map_id=f"carte-{territory.code.lower()}",
        )

    return _cached(key, build)
