import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_and_csp_without_unsafe_inline(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get(reverse("home")).content.decode()
    assert " style=" not in html and "<style" not in html
    for chunk in html.split("<script")[1:]:
        opening = chunk.split(">")[0]
        assert "src=" in opening, f"script en ligne : {chunk[:120]}"


def test_production_settings_pass_check_deploy():
    env = {
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.prod",
        "DJANGO_SECRET_KEY": "prod-like-secret-5Tg7Yh8Uj9Ik0Ol1Pz2Xc3Vb4Nm5Qw6Er7Ty8Ui9Op0As1Df",
        "ALLOWED_HOSTS": "srefop.example.fr",
        "SITE_URL": "https://srefop.example.fr",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure():
    from srefop_portal.settings import prod

    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.SECURE_HSTS_SECONDS >= 31536000
