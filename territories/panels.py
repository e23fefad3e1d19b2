"""Sections that other apps add to the territory page.

An app contributes by defining ``<app>/panels.py`` with ``territory_panels(request, territory)`` (declared in its
``AppConfig.hooks``, see ``srefop_portal.common.hooks``)
returning a list of ``{"template": ..., "context": {...}, "order": int}``, or ``{"html": ..., "order": int}``
for a section it rendered itself (typically from a cached fragment, see ``srefop_portal.common.versions``).
"""

from srefop_portal.common.hooks import implementations


def collect_territory_panels(request, territory) -> list[dict]:
    panels = []
    for _config, territory_panels in implementations("panels.territory_panels"):
        panels.extend({"html": "", **panel} for panel in territory_panels(request, territory))
    return sorted(panels, key=lambda panel: panel.get("order", 100))
