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
