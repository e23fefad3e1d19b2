"""Browser tests: Playwright driving Debian Chromium (/usr/bin/chromium), axe-core from npm.

Never a downloaded browser. Skipped when Chromium or axe-core is missing, unless
SREFOP_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import require_or_skip

CHROMIUM = os.environ.get("SREFOP_CHROMIUM", "/usr/bin/chromium")
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_instance():
    require_or_skip("browser", Path(CHROMIUM).exists() or bool(shutil.which("chromium")), f"{CHROMIUM} absent")
    require_or_skip("browser", AXE_PATH.exists(), f"{AXE_PATH} absent (npm install)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover
        require_or_skip("browser", False, f"playwright absent ({exc})")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_data(transactional_db):
    """live_server tests flush the database: load the reference data again for each test."""
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def page(browser_instance, live_server, browser_data):
    context = browser_instance.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    context.close()


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def assert_accessible(page):
    # axe-core may move the focus while it checks (seen: back to a form's autofocus field); a keyboard test goes on
    # from where the user was, so the focus is put back where it was.
    page.evaluate("() => { window.__srefopFocus = document.activeElement; }")
    violations = run_axe(page)
    page.evaluate(
        "() => { const el = window.__srefopFocus;"
        " if (el && el.isConnected && el !== document.activeElement) el.focus(); }"
    )
    assert violations == [], f"{page.url} — violations axe :\n" + json.dumps(violations, indent=2, ensure_ascii=False)


def assert_no_console_errors(page):
    errors = [e for e in page.console_errors if "favicon" not in e]
    assert errors == [], f"{page.url} — erreurs console : {errors}"


def login(page, email, password="mot-de-passe-solide-2026"):
    page.goto(page.base_url + "/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
