"""The « Repères » section of a territory page: a few key figures from the built sheet, and a link to it."""

from django.db.models import F
from django.urls import reverse

from .models import Sheet, audience_for
from .sheets import DEMO_LABEL


def territory_panels(request, territory):
    # Only the key figures are read from the snapshot (a key of the JSON), not the whole snapshot.
    sheet = (
        Sheet.objects.filter(territory=territory, audience=audience_for(request.user))
        .values("built_at", "stale", key_figures=F("snapshot__key_figures"))
        .first()
    )
    figures = (sheet["key_figures"] or [])[:4] if sheet else []
    return [
        {
            "template": "reperes/_territory_panel.html",
            "order": 20,
            "context": {
                "figures": figures,
                "built_at": sheet["built_at"] if sheet else None,
                "stale": bool(sheet and sheet["stale"]),
                "url": reverse("reperes:sheet", args=[territory.code]),
                "has_demo": any(f["is_demo"] for f in figures),
                "demo_label": DEMO_LABEL,
            },
        }
    ]
