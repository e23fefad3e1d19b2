"""The « fiche repères » as PDF (WeasyPrint, print template, the same SVG charts and map as the page)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .sheets import DEMO_LABEL


def render_sheet_pdf(sheet) -> bytes:
    from weasyprint import HTML

    snapshot = sheet.snapshot
    html = render_to_string(
        "pdf/reperes_sheet.html",
        {"sheet": sheet, "snapshot": snapshot, "map_svg": sheet.map_svg, "demo_label": DEMO_LABEL},
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1")
