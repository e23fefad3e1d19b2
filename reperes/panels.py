"""The « Repères » section of a territory page: a few key figures from the built sheet, and a link to it.

Rendered once per territory and audience (public or members: a reader class, never a person) and cached until a
sheet is built or marked stale (the ``sheets`` data version, see ``srefop_portal.common.versions``) or the territory
changes."""

from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse

from srefop_portal.common import versions

from .models import Sheet, audience_for
from .sheets import DEMO_LABEL


def panel_html(territory, audience: str) -> str:
    def build():
        # Only the key figures are read from the snapshot (a key of the JSON), not the whole snapshot.
        sheet = (
            Sheet.objects.filter(territory=territory, audience=audience)
            .values("built_at", "stale", key_figures=F("snapshot__key_figures"))
            .first()
        )
        figures = (sheet["key_figures"] or [])[:4] if sheet else []
        panel = {
            "figures": figures,
            "built_at": sheet["built_at"] if sheet else None,
            "stale": bool(sheet and sheet["stale"]),
            "url": reverse("reperes:sheet", args=[territory.code]),
            "has_demo": any(f["is_demo"] for f in figures),
            "demo_label": DEMO_LABEL,
        }
        return render_to_string("reperes/_territory_panel.html", {"panel": panel})

    return versions.cached_html(
        "reperes:territory-panel", apps=("sheets", "territories"), vary=(territory.pk, audience), build=build
    )


def territory_panels(request, territory):
    return [{"html": panel_html(territory, audience_for(request.user)), "order": 20}]
