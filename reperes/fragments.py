"""The body of a « fiche repères » page, rendered once per built sheet.

A sheet is already a built artefact (``Sheet.snapshot``, rebuilt in the background when the data changes): the
body of its page, as it opens (default map), depends only on the sheet as built (its id, build time and fingerprint
are the key). The page reads the sheet without its snapshot; the snapshot is loaded only to render a body that is
not in the cache yet, or a map of another indicator.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .sheets import DEMO_LABEL, map_choice, render_sheet_map

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600


def _key(sheet) -> str:
    built = sheet.built_at.isoformat() if sheet.built_at else ""
    digest = hashlib.sha256(repr((sheet.pk, built, sheet.fingerprint)).encode()).hexdigest()[:32]
    return f"reperes:sheet-body:{digest}"


def sheet_body(sheet, territory, requested: str = "") -> str:
    """The HTML of the sheet's figures, charts, map and sources ("" while the sheet has no snapshot).

    ``sheet`` may come without its snapshot and map (``defer``): they are loaded only when the body has to be
    rendered. Only the body with the default map (the page as it opens, its map built with the sheet) is cached:
    another indicator's map is drawn at each request, so that requests cannot fill the cache with variants."""
    key = _key(sheet)
    if not requested:
        try:
            html = cache.get(key)
        except Exception:  # noqa: BLE001 — no cache: render at each request
            html = None
        if html is not None:
            return mark_safe(html)
    sheet.refresh_from_db(fields=["snapshot", "map_svg"])
    snapshot = sheet.snapshot or None
    if not snapshot:
        return ""
    default = snapshot["map"]["default"]
    if requested and requested != default:
        map_svg, choice = render_sheet_map(snapshot, requested)
    else:
        map_svg, choice = sheet.map_svg, map_choice(snapshot, default)
    html = render_to_string(
        "reperes/_sheet_body.html",
        {
            "territory": territory,
            "snapshot": snapshot,
            "map_svg": map_svg,
            "map_info": choice,
            "demo_label": DEMO_LABEL,
        },
    )
    if not requested or requested == default:
        try:
            cache.set(key, html, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("Fiche repères non mise en cache", exc_info=True)
    return mark_safe(html)
