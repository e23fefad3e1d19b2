"""The veille's section of a territory page: the five latest items tagged with the territory.

Kept in the cache until the veille's data change (the ``news`` data version of ``srefop_portal.common.versions``:
items, tags, sources; one change per ingestion transaction or moderation) or the territories' (its name and code):
a moderation shows there at once, as in the list. Measured in `make bench` (bench/README.md): the items lookup was
the largest part of the territory page.
"""

from django.template.loader import render_to_string

from srefop_portal.common import versions

from .models import NewsItem


def latest_items(territory) -> list[NewsItem]:
    # The panel shows title, date and source: no tags nor themes to prefetch, no search vector to read.
    return list(
        NewsItem.objects.published()
        .in_territory(territory)
        .select_related("source")
        .defer("search_vector")
        .order_by("-featured", "-published_at", "-pk")[:5]
    )


def territory_panels(request, territory):
    def build():
        context = {"panel": {"items": latest_items(territory), "territory": territory}}
        return render_to_string("veille/_territory_panel.html", context)

    html = versions.cached_html(
        "veille:territory-panel", apps=("news", "territories"), vary=(territory.pk,), build=build
    )
    return [{"html": html, "order": 40}]
