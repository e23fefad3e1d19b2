"""Template source checks that neither djLint nor rendering tests catch."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_comment_spans_several_lines():
    """Django's {# … #} comments are single-line: one left open is printed on the page as text."""
    open_comments = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == [], "Commentaire {# … #} sur plusieurs lignes (utilisez {% comment %}) : " + ", ".join(
        open_comments
    )
