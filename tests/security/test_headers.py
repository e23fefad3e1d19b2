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
        "SREFOP_TRUSTED_PROXY_COUNT": "1",
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


def test_check_deploy_asks_for_the_trusted_proxy_count():
    env = {
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.prod",
        "DJANGO_SECRET_KEY": "prod-like-secret-5Tg7Yh8Uj9Ik0Ol1Pz2Xc3Vb4Nm5Qw6Er7Ty8Ui9Op0As1Df",
        "ALLOWED_HOSTS": "srefop.example.fr",
        "PATH": "/usr/bin:/bin",
    }
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    missing = run({})
    assert missing.returncode != 0 and "srefop.W010" in missing.stdout + missing.stderr
    wrong = run({"SREFOP_TRUSTED_PROXY_COUNT": "-1"})
    assert wrong.returncode != 0


def test_production_cookies_are_secure():
    from srefop_portal.settings import prod

    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.SECURE_HSTS_SECONDS >= 31536000


def test_permissions_policy_on_every_answer(client):
    assert "camera=()" in client.get(reverse("home"))["Permissions-Policy"]
    assert "geolocation=()" in client.get("/page-qui-n-existe-pas/")["Permissions-Policy"]


def test_signed_in_answers_and_downloads_are_not_stored(client, client_for):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")  # public page: cacheable
    for role in ("user", "staff"):
        signed_in = client_for(role)
        for url in (reverse("home"), reverse("accounts:profile"), reverse("accounts:personal_data")):
            assert signed_in.get(url)["Cache-Control"] == "private, no-store", (role, url)
    # Downloads, even public ones (the offer's CSV export) and the token calendar feeds.
    response = client.get(reverse("offer:dispositif_export"))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_calendar_feed_is_not_stored(client, role_user):
    from clefop.calendar import regenerate_token

    token = regenerate_token(user=role_user("member")).token
    response = client.get(reverse("clefop:my_feed", args=[token]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


HELLO_APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def test_gunicorn_configuration_shows_no_server_banner(tmp_path):
    """The project's gunicorn.conf.py (used by the Dockerfile and docker-compose) removes ``Server: gunicorn``."""
    import http.client
    import os
    import socket
    import time

    (tmp_path / "hello_wsgi.py").write_text(HELLO_APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pidfile = tmp_path / "gunicorn.pid"
    command = [
        sys.executable, "-m", "gunicorn", "hello_wsgi:app", "--config", str(ROOT / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket", "--pid", str(pidfile),
        "--chdir", str(tmp_path),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                response = connection.getresponse()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status == 200 and response.read() == b"ok"
        assert response.getheader("Server") is None, response.getheaders()
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()
    assert "--config gunicorn.conf.py" in (ROOT / "docker-compose.yml").read_text()
    assert os.path.exists(ROOT / "gunicorn.conf.py")
