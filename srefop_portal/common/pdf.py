"""PDF rendering with WeasyPrint from print templates (templates/pdf/), shared by every report.

- Tagged, accessible PDF (PDF/UA-1 variant), language fr, title/author metadata;
- Marianne (bundled with django-dsfr) when available, DejaVu otherwise;
- running header and footer with "page x / y", table of contents with page numbers (see pdf/base.html);
- French typography: narrow non-breaking spaces before ; : ! ? and inside « » (``typo_fr``).

Speed: the print style sheets (``pdf/base.css`` and the one a report adds, e.g. ``pdf/roadmap_report.css``) are
parsed once per process into ``weasyprint.CSS`` objects, and one ``FontConfiguration`` is kept per process, so the
Marianne fonts are decoded and registered once. A template only keeps, in its ``<style>``, the few rules that depend
on the document (running header and footer texts).
"""

from __future__ import annotations

import atexit
import gc
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from django.template.loader import get_template, render_to_string

PDF_VARIANT = "pdf/ua-1"
BASE_STYLESHEET = "pdf/base.css"
_FRENCH_SPACE = re.compile(r"\s+([;:!?»])")
_FRENCH_OPEN = re.compile(r"«\s+")
_BASE_URL = str(Path(__file__).resolve().parent)
# Faces declared for the Marianne family (files of django-dsfr), in @font-face order.
_FACES = (
    ("Marianne-Regular.woff2", "normal", 400),
    ("Marianne-Bold.woff2", "normal", 700),
    ("Marianne-Regular_Italic.woff2", "italic", 400),
)
_lock = threading.Lock()
# Images met in style sheets (progress bars as data: URLs), parsed once per process; bounded.
_IMAGE_CACHE: dict = {}
_IMAGE_CACHE_MAX = 200


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

    # Released before the interpreter tears modules down (its clean-up then removes its font folder quietly).
    atexit.register(_release)
    return FontConfiguration()


def _release() -> None:
    stylesheet.cache_clear()
    _IMAGE_CACHE.clear()
    _font_config.cache_clear()
    gc.collect()


def font_faces() -> str:
    """@font-face rules of Marianne ('' when django-dsfr's fonts are not found: DejaVu Sans is used)."""
    folder = font_dir()
    if not folder:
        return ""
    return "".join(
        f'@font-face {{ font-family: "Marianne"; src: url("{folder}/{name}"); font-style: {style}; '
        f"font-weight: {weight}; }}\n"
        for name, style, weight in _FACES
    )


@lru_cache(maxsize=16)
def stylesheet(name: str):
    """The print style sheet ``name`` (found like a template), parsed once per process with the shared fonts."""
    from weasyprint import CSS

    path = Path(get_template(name).origin.name)
    text = path.read_text(encoding="utf-8")
    if name == BASE_STYLESHEET:
        text = font_faces() + text
    return CSS(string=text, base_url=str(path.parent), font_config=_font_config())


# ASCII white space only: the no-break spaces of French typography (U+00A0, U+202F) must stay.
_SPACES = re.compile(r"[ \t\r\n\f]+")
_BETWEEN_TAGS = re.compile(r"> <")
_BLOCK = r"(?:td|th|li|p|dd|dt|dl|ul|ol|caption|h[1-6]|div|section|nav|table|thead|tbody|tr)"
# Spaces at the start or end of a block, or around a line break, are never shown; WeasyPrint 70 even breaks a line
# too early when one ends a table cell.
_EDGE_SPACES = re.compile(rf"(<{_BLOCK}(?: [^>]*)?>) | (</{_BLOCK}>)")
_BREAK_SPACES = re.compile(r" ?<br> ?")


def compact_html(html: str) -> str:
    """The body with its white space collapsed, none left between tags nor at the edges of blocks: fewer boxes for
    WeasyPrint to build and discard (the print templates are indented for people). Print templates hold no <pre>
    nor significant space between two tags (write ``&#32;`` where one is needed)."""
    head, marker, body = html.partition("<body>")
    if not marker:
        return html
    body = _BETWEEN_TAGS.sub("><", _SPACES.sub(" ", body))
    body = _EDGE_SPACES.sub(lambda match: match.group(1) or match.group(2), _BREAK_SPACES.sub("<br>", body))
    return head + marker + body


def render_html(template_name: str, context: dict, *, title: str, author: str) -> str:
    """The print template rendered to HTML (what WeasyPrint lays out)."""
    return compact_html(render_to_string(template_name, {**context, "pdf_title": title, "pdf_author": author}))


def render_pdf(
    template_name: str,
    context: dict,
    *,
    title: str,
    author: str = "Carif-Oref des Pays de la Loire",
    stylesheets: Sequence[str] = (),
) -> bytes:
    """Render a print template to PDF bytes (``stylesheets``: print style sheets added to pdf/base.css)."""
    return html_to_pdf(render_html(template_name, context, title=title, author=author), stylesheets=stylesheets)


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    """Lay out and write the PDF of an HTML string with the cached print style sheets and fonts."""
    from weasyprint import HTML

    with _lock:  # one FontConfiguration per process: renders in threads take turns
        sheets = [stylesheet(name) for name in (BASE_STYLESHEET, *stylesheets)]
        if len(_IMAGE_CACHE) > _IMAGE_CACHE_MAX:
            _IMAGE_CACHE.clear()
        document = HTML(string=html, base_url=_BASE_URL)
        return document.write_pdf(
            stylesheets=sheets,
            pdf_variant=PDF_VARIANT,
            font_config=_font_config(),
            cache=_IMAGE_CACHE,
            uncompressed_pdf=False,
        )


def warm_up(stylesheets: Sequence[str] = ()) -> None:
    """Parse the style sheets and load the fonts now (a worker process does it before its first task)."""
    html_to_pdf(
        '<html lang="fr"><title>-</title><p>Préparation <strong>gras</strong> <em>italique</em></p>',
        stylesheets=stylesheets,
    )


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


def pdf_xmp(content: bytes) -> str:
    """XMP metadata of a PDF (pdfinfo -meta): the PDF/UA identification (pdfuaid:part), title, creator."""
    return _poppler("pdfinfo", content, "-meta")


def pdf_language(content: bytes) -> str | None:
    """The document language (/Lang of the catalog), found in the PDF's compressed object streams."""
    import zlib

    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            data = match.group(1)
        found = re.search(rb"/Lang\s*\(([^)]*)\)", data)
        if found:
            return found.group(1).decode("latin-1")
    return None
