"""The veille's section of a territory page: the five latest items tagged with the territory.

The veille is not among the apps whose writes change a data version (``srefop_portal.common.versions``: its bulk
ingestion must stay cheap), so this section is kept for ``PANEL_SECONDS`` only: items are collected once a day
(``veille-fetch-daily``) and a moderation shows there within a minute. Measured in `make bench` (bench/README.md):
the items lookup was the largest part of the territory page.
"""

import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .models import NewsItem

logger = logging.getLogger(__name__)

PANEL_SECONDS = 60


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
    key = f"veille:territory-panel:{territory.pk}"
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 — the cache being unavailable only costs the lookup
        html = None
    if html is None:
        context = {"panel": {"items": latest_items(territory), "territory": territory}}
        html = render_to_string("veille/_territory_panel.html", context)
        try:
            cache.set(key, html, PANEL_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("Section veille du territoire non mise en cache", exc_info=True)
    return [{"html": mark_safe(html), "order": 40}]  # rendered by render_to_string (autoescaped)
