from .models import NewsItem
from .views import with_listing_relations


def territory_panels(request, territory):
    items = list(
        with_listing_relations(
            NewsItem.objects.published().in_territory(territory).order_by("-featured", "-published_at", "-pk")
        )[:5]
    )
    return [
        {"template": "veille/_territory_panel.html", "context": {"items": items, "territory": territory}, "order": 40}
    ]
