"""PDF rendering with WeasyPrint from print templates (templates/pdf/), shared by every report.

- Tagged, accessible PDF (PDF/UA-1 variant), language fr, title/author metadata;
- Marianne (bundled with django-dsfr) when available, DejaVu otherwise;
- running header and footer with "page x / y", table of contents with page numbers (see pdf/base.html);
- French typography: narrow non-breaking spaces before ; : ! ? and inside « » (``typo_fr``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"
_FRENCH_SPACE = re.compile(r"\s+([;:!?»])")
_FRENCH_OPEN = re.compile(r"«\s+")


def typo_fr(text: str) -> str:
    """Apply French spacing rules (narrow no-break space U+202F) to a plain text."""
    if not text:
        return text
    text = _FRENCH_SPACE.sub("\u202f\\1", str(text))
    return _FRENCH_OPEN.sub("«\u202f", text)


@lru_cache(maxsize=1)
def font_dir() -> str:
    """file:// URL of the Marianne fonts bundled with django-dsfr ('' if not found)."""
    from django.contrib.staticfiles import finders

    found = finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    return Path(found).parent.as_uri() if found else ""


@lru_cache(maxsize=1)
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(
    template_name: str, context: dict, *, title: str, author: str = "Carif-Oref des Pays de la Loire"
) -> bytes:
    """Render a print template to PDF bytes."""

    html = render_to_string(
        template_name, {**context, "pdf_title": title, "pdf_author": author, "font_dir": font_dir()}
    )
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(Path(__file__).resolve().parent))
    return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=_font_config(), uncompressed_pdf=False)


def _poppler(tool: str, content: bytes, *args: str) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        result = subprocess.run(
            [tool, *args, handle.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    return result.stdout


def pdf_text(content: bytes) -> str:
    """Text of a PDF (pdftotext, from poppler-utils): used by tests and checks."""
    return _poppler("pdftotext", content, "-layout")


def pdf_info(content: bytes) -> dict[str, str]:
    """Metadata of a PDF (pdfinfo): Title, Author, Tagged, Pages..."""
    lines = _poppler("pdfinfo", content).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines) if k}
