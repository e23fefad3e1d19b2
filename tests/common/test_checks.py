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


def test_production_without_site_url_is_a_check_error(settings):
    from srefop_portal.common.checks import check_site_url

    settings.SREFOP_REQUIRE_SITE_URL = True
    settings.SITE_URL_FROM_ENVIRONMENT = False
    assert [e.id for e in check_site_url()] == ["srefop.E011"]
    settings.SITE_URL_FROM_ENVIRONMENT = True
    assert check_site_url() == []
    settings.SREFOP_REQUIRE_SITE_URL = False
    settings.SITE_URL_FROM_ENVIRONMENT = False
    assert check_site_url() == []  # development: the embedded default follows HOST/PORT


def test_site_url_follows_the_served_address_by_default():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(SREFOP_HOST="127.0.0.1", SREFOP_PORT="8101", DJANGO_SETTINGS_MODULE="srefop_portal.settings.dev")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:8101", out.stderr[-2000:]
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "export SREFOP_PORT := $(PORT)" in makefile and "flock" in makefile
