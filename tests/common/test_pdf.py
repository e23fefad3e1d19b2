import pytest
from django.template import engines

from srefop_portal.common import pdf

pytestmark = pytest.mark.django_db


def test_french_typography():
    assert (
        pdf.typo_fr("Bilan : 3 actions ; « en cours » !")
        == "Bilan\u202f: 3 actions\u202f; «\u202fen cours\u202f»\u202f!"
    )


def test_render_pdf_is_tagged_with_metadata_and_page_numbers(tmp_path, settings):
    settings.TEMPLATES[0]["DIRS"].append(tmp_path)
    engines._engines = {}
    (tmp_path / "doc.html").write_text(
        '{% extends "pdf/base.html" %}{% block body %}<h1>Rapport Nantes</h1>'
        "<h2>Synthèse</h2><p>Avancement global 42 %</p>{% endblock body %}",
        encoding="utf-8",
    )
    try:
        content = pdf.render_pdf("doc.html", {}, title="Rapport d'avancement — Nantes")
    finally:
        engines._engines = {}
    assert content.startswith(b"%PDF-1.7")
    info = pdf.pdf_info(content)
    assert info["Tagged"] == "yes" and info["Title"] == "Rapport d'avancement — Nantes"
    assert info["Author"] == "Carif-Oref des Pays de la Loire"
    text = pdf.pdf_text(content)
    assert "Rapport Nantes" in text and "page 1 / 1" in text


def test_compact_html_keeps_meaningful_spaces_only():
    html = (
        "<html><head><style> a  b </style></head><body>\n  <table>\n <tr>\n <td> Personnes\u202f: 44\u00a0%"
        ' <br> en retard </td>\n </tr></table>\n <p class="x"> a <strong>b</strong> c </p></body></html>'
    )
    compact = pdf.compact_html(html)
    assert "<style> a  b </style>" in compact  # the head is left alone
    assert "<table><tr><td>Personnes\u202f: 44\u00a0%<br>en retard</td></tr></table>" in compact
    assert '<p class="x">a <strong>b</strong> c</p>' in compact


def test_print_style_sheets_are_parsed_once_per_process():
    pdf.stylesheet.cache_clear()
    pdf.render_pdf("pdf/base.html", {}, title="Un")
    pdf.render_pdf("pdf/base.html", {}, title="Deux")
    assert pdf.stylesheet.cache_info().misses == 1 and pdf.stylesheet.cache_info().hits == 1
