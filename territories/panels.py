"""Sections that other apps add to the territory page.

An app contributes by defining ``<app>/panels.py`` with ``territory_panels(request, territory)``
returning a list of ``{"template": ..., "context": {...}, "order": int}``, or ``{"html": ..., "order": int}``
for a section it rendered itself (typically from a cached fragment, see ``srefop_portal.common.versions``).
"""

from srefop_portal.common.plugins import app_modules


def collect_territory_panels(request, territory) -> list[dict]:
    panels = []
    for config, module in app_modules("panels"):
        if config.name == "territories" or not hasattr(module, "territory_panels"):
            continue
        panels.extend({"html": "", **panel} for panel in module.territory_panels(request, territory))
    return sorted(panels, key=lambda panel: panel.get("order", 100))
