"""Browser sweep: for each role, at 1280 px (desktop) and 375 px (phone), every page reachable from the navigation
(and the first links of each section page) answers without a server error, without a console error, without a
horizontal scroll bar, and with 0 axe-core violations of any impact."""

import io
import itertools
import os
from urllib.parse import urljoin, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.conftest import run_axe
from tests.second_factor import sign_in as sign_in_verified

pytestmark = [pytest.mark.browser, pytest.mark.sweep, pytest.mark.slow]

ROLE_EMAILS = {
    "anonyme": None,
    "membre": "membre.nantes@demo.srefop.fr",
    "animateur": "animateur.nantes@demo.srefop.fr",
    "co-président": "sous-prefet.nantes@demo.srefop.fr",
    "cdefop": "cdefop44@demo.srefop.fr",
    "crefop": "crefop@demo.srefop.fr",
    "équipe Cariforef": "cariforef@demo.srefop.fr",
}
LINKS_PER_SECTION = 4
# SREFOP_SWEEP_ROLES="membre,anonyme" limits a local run to some roles (CI sweeps them all).
ROLES = [r for r in os.environ.get("SREFOP_SWEEP_ROLES", "").split(",") if r] or list(ROLE_EMAILS)
WIDTHS = {"1280 px": {"width": 1280, "height": 900}, "375 px": {"width": 375, "height": 812}}
SKIP_PREFIXES = ("/compte/logout", "/admin/", "/static/", "/media/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".json", ".ics", ".pdf", ".xml", "/rss/", "/telecharger/", "/export/")


def sign_in(context, live_server, email):
    user = get_user_model().objects.get(email=email)
    client = Client()
    sign_in_verified(client, user)
    cookie = client.cookies["sessionid"]
    host = urlparse(live_server.url).hostname
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])


def same_site_links(page, base, selector):
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page.url, href)
        parsed = urlparse(url)
        if parsed.netloc != urlparse(base).netloc:
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if path.startswith(SKIP_PREFIXES) or parsed.path.endswith(SKIP_SUFFIXES):
            continue
        links.append(path)
    return list(dict.fromkeys(links))


def visit(page, base, path, problems, role):
    response = page.goto(base + path)
    status = response.status if response else 0
    if status >= 500 or status == 0:
        problems.append(f"[{role}] {path} : statut {status}")
        return False
    violations = run_axe(page)
    if violations:
        problems.append(f"[{role}] {path} : axe {[(v['id'], v['nodes'][:2]) for v in violations]}")
        print(problems[-1], flush=True)  # seen at once with -s on a long local run
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width > viewport + 1:  # wide tables scroll inside their own box, never the page
        problems.append(f"[{role}] {path} : la page déborde horizontalement ({width} px pour {viewport} px)")
        print(problems[-1], flush=True)
    errors = [e for e in page.console_errors if "favicon" not in e]
    if errors:
        problems.append(f"[{role}] {path} : console {errors}")
    page.console_errors.clear()
    return True


def test_every_navigation_page_for_every_role(browser_instance, live_server, transactional_db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data", "--force", "--quiet-accounts", stdout=io.StringIO())
    base = live_server.url
    problems, visited_total = [], 0
    roles = {role: ROLE_EMAILS[role] for role in ROLES}
    for (role, email), (width, viewport) in itertools.product(roles.items(), WIDTHS.items()):
        context = browser_instance.new_context(locale="fr-FR", viewport=viewport, bypass_csp=True)
        if email:
            sign_in(context, live_server, email)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg, p=page: msg.type == "error" and p.console_errors.append(msg.text))
        page.on("pageerror", lambda exc, p=page: p.console_errors.append(str(exc)))
        page.goto(base + "/")
        sections = ["/", *same_site_links(page, base, "#navigation-principale a[href]")]
        seen = set()
        label = f"{role}, {width}"
        for section in sections:
            if section in seen:
                continue
            seen.add(section)
            if not visit(page, base, section, problems, label):
                continue
            for link in same_site_links(page, base, "main a[href]")[:LINKS_PER_SECTION]:
                if link not in seen:
                    seen.add(link)
                    visit(page, base, link, problems, label)
        visited_total += len(seen)
        context.close()
    assert visited_total >= len(roles) * len(WIDTHS) * 3
    assert problems == [], "\n".join(problems)
