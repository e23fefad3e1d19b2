"""The « Repères » section of a territory page: a few key figures from the built sheet, and a link to it."""

from django.urls import reverse

from .models import Sheet, audience_for
from .sheets import DEMO_LABEL


def territory_panels(request, territory):
    sheet = (
        Sheet.objects.filter(territory=territory, audience=audience_for(request.user))
        .only("snapshot", "built_at", "stale")
        .first()
    )
    figures = (sheet.snapshot.get("key_figures") or [])[:4] if sheet and sheet.snapshot else []
    return [
        {
            "template": "reperes/_territory_panel.html",
            "order": 20,
            "context": {
                "figures": figures,
                "built_at": sheet.built_at if sheet else None,
                "stale": bool(sheet and sheet.stale),
                "url": reverse("reperes:sheet", args=[territory.code]),
                "has_demo": any(f["is_demo"] for f in figures),
                "demo_label": DEMO_LABEL,
            },
        }
    ]
