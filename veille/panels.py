from .models import NewsItem


def territory_panels(request, territory):
    # The panel shows title, date and source: no tags nor themes to prefetch, no search vector to read.
    items = list(
        NewsItem.objects.published()
        .in_territory(territory)
        .select_related("source")
        .defer("search_vector")
        .order_by("-featured", "-published_at", "-pk")[:5]
    )
    return [
        {"template": "veille/_territory_panel.html", "context": {"items": items, "territory": territory}, "order": 40}
    ]
