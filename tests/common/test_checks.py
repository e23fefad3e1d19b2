"""System checks of the runtime (srefop_portal.common.checks)."""

from django.core import checks as django_checks

from srefop_portal.common import checks
from tests.conftest import require_or_skip


def test_subsetter_detection_agrees_with_weasyprint():
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    weasyprint_uses_harfbuzz = harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    assert checks.pdf_font_subsetter() == ("harfbuzz" if weasyprint_uses_harfbuzz else "fonttools")


def test_harfbuzz_subsetter_installed():
    """CI requires it (SREFOP_REQUIRE_HARFBUZZ=1): without it every PDF is 1.6 to 4 times slower."""
    require_or_skip("harfbuzz", checks.pdf_font_subsetter() == "harfbuzz", "paquet libharfbuzz-subset0 absent")
    assert checks.check_pdf_font_subsetter() == []


def test_missing_subsetter_is_a_warning_in_french(monkeypatch):
    monkeypatch.setattr(checks, "pdf_font_subsetter", lambda: "fonttools")
    [warning] = checks.check_pdf_font_subsetter()
    assert warning.id == "srefop.W001" and warning.level == django_checks.WARNING
    assert "fois plus lentement" in warning.msg and "libharfbuzz-subset0" in warning.hint


def test_check_is_registered():
    assert checks.check_pdf_font_subsetter in django_checks.registry.registry.get_checks()
