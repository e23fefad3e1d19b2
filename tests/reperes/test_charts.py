import re

from srefop_portal.common.charts import bar_chart, fr_number, hbar_chart, line_chart, pyramid_chart


def check_lean(svg):
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "aria-labelledby" in svg
    assert (
        "style" not in svg and "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    )
    assert len(re.findall(r"<(?!/)", svg)) < 80


def test_french_numbers():
    assert fr_number(1234567.891, 1) == "1\u202f234\u202f567,9"
    assert fr_number(-2.5, 1) == "−2,5"
    assert fr_number(None) == "–"


def test_every_chart_is_lean_and_accessible():
    years = [str(y) for y in range(2016, 2026)]
    check_lean(bar_chart(title="Barres", desc="d", labels=years, values=range(1000, 11000, 1000)))
    svg = line_chart(
        title="Courbes", desc="d", labels=years, series=[("A", [1.5] * 10), ("B", [None, *[2] * 9])], decimals=1
    )
    check_lean(svg)
    assert "stroke-dasharray" in svg  # series do not rely on colour alone
    check_lean(hbar_chart(title="Secteurs", desc="d", labels=["Industrie", "Services"], values=[12000, 40000]))
    svg = pyramid_chart(
        title="Pyramide", desc="d", bands=["0-14", "15-29"], left_values=[100, 90], right_values=[95, 99]
    )
    check_lean(svg)
    assert "Hommes" in svg and "Femmes" in svg and "1\u202f" not in svg
