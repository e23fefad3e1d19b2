"""The territory panel of the offre de services: the dispositifs available in the territory."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.template.loader import render_to_string

from srefop_portal.common import versions

from .models import Dispositif, DispositifLevel


def dispositif_panel_html(territory) -> str:
    """The catalogue is public (``Dispositif.objects.for_user`` hides nothing from anyone), so the panel is the
    same for every reader: rendered once, cached until the offer or the territories change."""

    def build():
        available = Dispositif.objects.for_user(AnonymousUser()).available_in(territory)
        levels = dict(DispositifLevel.choices)
        counts = dict(available.order_by().values_list("level").annotate(n=Count("pk")))
        by_level = [(levels[value], counts[value]) for value in DispositifLevel.values if counts.get(value)]
        local = list(
            Dispositif.objects.for_user(AnonymousUser())
            .filter(territories=territory)
            .select_related("carrier")
            .order_by("name")[:10]
        )
        panel = {"territory": territory, "total": sum(counts.values()), "by_level": by_level, "local": local}
        return render_to_string("offer/panels/territory_dispositifs.html", {"panel": panel})

    return versions.cached_html(
        "offer:territory-dispositifs", apps=("offer", "clefop", "territories"), vary=(territory.pk,), build=build
    )


def territory_panels(request, territory) -> list[dict]:
    return [{"html": dispositif_panel_html(territory), "order": 40}]
