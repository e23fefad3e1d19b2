"""Sign in with ProConnect in a real browser, against the real test OpenID provider (tests/oidc/provider.mjs):
a member lands on their workspace and signs out through the provider's end-session endpoint; a staff member with
`amr` mfa reaches the staff pages at once, without it is asked for the portal's TOTP. axe runs on every portal page.
"""

import time

import pytest

from tests.accounts.factories import StaffFactory, UserFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.oidc.server import ACCOUNTS, configure


@pytest.fixture
def csp_page(browser_instance, live_server, browser_data):
    """Like tests/browser's page, with the portal's Content-Security-Policy enforced (axe cannot be injected then):
    Chrome applies form-action to the redirects that follow a form, and the way to ProConnect starts from forms."""
    context = browser_instance.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    context.close()


def sign_in_with_proconnect(page, account: str, start: str = "/", axe: bool = True):
    page.goto(page.base_url + start)
    if "/compte/login/" not in page.url:
        page.goto(page.base_url + "/compte/login/")
    if axe:
        assert_accessible(page)
    page.click("#proconnect-login")
    page.wait_for_selector("input[name=login]")  # the provider's sign-in page
    page.fill("input[name=login]", account)
    page.click("button:has-text('Se connecter')")
    page.wait_for_load_state()


def sign_out_through_provider(page, axe: bool = True):
    page.click("header button:has-text('Se déconnecter')")
    page.wait_for_selector("text=Déconnexion du fournisseur de test")
    assert "/api/v2/session/end" in page.url
    page.click("button[name=logout]")
    page.wait_for_load_state()
    assert page.url == page.base_url + "/"
    assert page.locator("text=Vous êtes déconnecté·e du portail et de ProConnect.").count() == 1
    assert page.locator("header a:has-text('Se connecter')").count() >= 1
    if axe:
        assert_accessible(page)


def test_member_signs_in_with_proconnect_and_out_through_it(page, settings, oidc_providers):
    from tests.clefop.factories import MembershipFactory, clefop

    configure(settings, oidc_providers(page.base_url))
    user = UserFactory(email=ACCOUNTS["membre"]["email"])
    MembershipFactory(user=user, body=clefop("44-NAN"))

    sign_in_with_proconnect(page, "membre", start="/instances/")
    assert page.url == page.base_url + "/instances/"
    assert page.locator("h1").inner_text() == "Mes instances"
    assert page.locator("text=Nantes").count() >= 1
    assert page.locator("header").inner_text().count("Camille Agent-Membre") == 1
    page.screenshot(path=str(settings.VAR_DIR / "proconnect-member.png"), full_page=False)
    assert_accessible(page)
    sign_out_through_provider(page)
    # Signed out for real: the workspace asks for a sign-in again.
    page.goto(page.base_url + "/instances/")
    assert "/compte/login/" in page.url
    assert_no_console_errors(page)


def test_staff_with_mfa_reaches_staff_pages(page, settings, oidc_providers):
    configure(settings, oidc_providers(page.base_url))
    StaffFactory(email=ACCOUNTS["staff-mfa"]["email"])

    sign_in_with_proconnect(page, "staff-mfa", start="/gestion/")
    assert page.url == page.base_url + "/gestion/"
    assert "/2fa/" not in page.url
    assert_accessible(page)
    sign_out_through_provider(page)


def test_staff_without_mfa_is_asked_for_the_totp(page, settings, oidc_providers):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from accounts.demo import DEMO_STAFF_TOTP_SECRET

    configure(settings, oidc_providers(page.base_url))
    StaffFactory(email=ACCOUNTS["staff-pwd"]["email"])

    sign_in_with_proconnect(page, "staff-pwd", start="/gestion/")
    assert "/compte/2fa/authenticate/" in page.url
    assert_accessible(page)
    code = format_hotp_value(hotp_value(DEMO_STAFF_TOTP_SECRET, int(time.time()) // 30))
    page.fill("input[name=code]", code)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url == page.base_url + "/gestion/"
    sign_out_through_provider(page)


def test_failure_ends_on_the_french_page(page, settings, oidc_providers):
    configure(settings, oidc_providers(page.base_url))
    settings.SREFOP_OPEN_SIGNUP = False

    sign_in_with_proconnect(page, "inconnu")
    assert page.locator("h1").inner_text() == "Connexion avec ProConnect impossible"
    assert page.locator("text=Aucun compte du portail n’est associé").count() == 1
    page.screenshot(path=str(settings.VAR_DIR / "proconnect-error.png"), full_page=True)
    assert_accessible(page)
    page.click("text=Se connecter avec un mot de passe")
    assert "/compte/login/" in page.url
    assert page.locator("header a:has-text('Se connecter')").count() >= 1


def test_sign_in_and_out_with_the_csp_enforced(csp_page, settings, oidc_providers):
    page = csp_page
    configure(settings, oidc_providers(page.base_url))
    UserFactory(email=ACCOUNTS["membre"]["email"])
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))

    sign_in_with_proconnect(page, "membre", start="/instances/", axe=False)
    assert page.url == page.base_url + "/instances/"
    sign_out_through_provider(page, axe=False)
    assert violations == []
