"""Personal data as a person lives it: the readable page of everything kept, at desktop and phone widths (axe: 0
violations, tables scroll in their own focusable box), then closing the account from the form."""

import pytest

from accounts.models import User
from clefop.models import Position
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors, login
from tests.clefop.factories import MembershipFactory, clefop
from veille.models import Subscription

pytestmark = pytest.mark.browser


def no_page_overflow(page):
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport + 1, f"{page.url} déborde : {width} px pour {viewport} px"


def test_personal_data_page_then_close_the_account(page):
    user = UserFactory(email="zephirine@exemple.fr", first_name="Zéphirine", last_name="Quintal")
    MembershipFactory(user=user, body=clefop("44-NAN"), position=Position.MEMBER, role_label="Chargée de mission")
    Subscription.objects.create(user=user, frequency="weekly")
    login(page, user.email)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/profil/mes-donnees/", "/profil/supprimer/", "/donnees-personnelles/"):
            page.goto(page.base_url + path)
            assert_accessible(page)
            no_page_overflow(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + "/profil/mes-donnees/")
    assert page.locator("text=Chargée de mission").count() == 1
    # The scroll box of a table is reached with the keyboard and named after its caption.
    region = page.locator(".fr-table__container[role=region]").first
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")

    page.goto(page.base_url + "/profil/supprimer/")
    page.fill("input[name=password]", "mot-de-passe-solide-2026")
    page.check("input[name=confirm]", force=True)
    page.click("button[type=submit]:has-text('Fermer définitivement mon compte')")
    page.wait_for_load_state()
    assert page.locator("text=Votre compte est fermé").count() == 1
    assert_accessible(page)
    user.refresh_from_db()
    assert user.closed_at and not user.is_active and user.last_name == ""
    assert not User.objects.filter(email="zephirine@exemple.fr").exists()
    assert_no_console_errors(page)


ACCOUNT_PAGES = (
    "/profil/",
    "/compte/2fa/",
    "/compte/2fa/recovery-codes/",
    "/compte/2fa/recovery-codes/generate/",
    "/compte/2fa/totp/deactivate/",
    "/compte/email/",
    "/compte/password/change/",
    "/compte/3rdparty/",
)


def test_account_management_pages_at_both_widths(browser_instance, live_server, browser_data):
    """The allauth pages a staff member reaches from « Mon profil » (second factor, recovery codes, addresses,
    password, ProConnect): DSFR, one <title> each, 0 axe violations at 1280 and 375 px, no horizontal scroll.
    ``SREFOP_SCREENSHOTS=<folder>`` keeps a screenshot of each."""
    import os
    from pathlib import Path
    from urllib.parse import urlparse

    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.test import Client

    from tests.accounts.factories import StaffFactory
    from tests.accounts.test_sign_in_pages import recently_authenticated
    from tests.second_factor import sign_in

    staff = StaffFactory(email="equipe@exemple.fr", first_name="Camille", last_name="Durand")
    RecoveryCodes.activate(staff)
    client = Client()
    sign_in(client, staff)
    recently_authenticated(client, staff)
    shots = os.environ.get("SREFOP_SCREENSHOTS")
    titles = {}
    for width in (1280, 375):
        context = browser_instance.new_context(
            locale="fr-FR", viewport={"width": width, "height": 900}, bypass_csp=True
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": urlparse(live_server.url).hostname,
                    "path": "/",
                }
            ]
        )
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg, p=page: msg.type == "error" and p.console_errors.append(msg.text))
        for path in ACCOUNT_PAGES:
            response = page.goto(live_server.url + path)
            assert response.status == 200 and page.url.endswith(path), (path, response.status, page.url)
            titles[path] = page.title()
            assert page.locator("main .fr-breadcrumb, .fr-breadcrumb").count() >= 1, path
            assert_accessible(page)
            no_page_overflow(page)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                name = path.strip("/").replace("/", "_") or "accueil"
                page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
        # A refused change shows its error in place, accessible too.
        page.goto(live_server.url + "/compte/password/change/")
        page.fill("input[name=oldpassword]", "pas-le-bon")
        page.fill("input[name=password1]", "une-phrase-de-passe-longue")
        page.fill("input[name=password2]", "une-phrase-de-passe-longue")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("text=Mot de passe actuel incorrect.").count() == 1
        assert_accessible(page)
        # Removing an address: a confirmation page first, then the address is gone.
        old_address = f"ancienne-{width}@exemple.fr"
        EmailAddress.objects.create(user=staff, email=old_address, primary=False, verified=True)
        page.goto(live_server.url + "/compte/email/")
        page.click(f"label:has-text('{old_address}')")  # the DSFR radio: its label is what a person clicks
        page.click("text=Retirer cette adresse…")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Retirer une adresse électronique"
        assert old_address in page.locator("main").inner_text()
        assert_accessible(page)
        no_page_overflow(page)
        page.click("main button[name=action_remove]")
        page.wait_for_load_state()
        assert page.url.endswith("/compte/email/")
        assert not EmailAddress.objects.filter(email=old_address).exists()
        assert_no_console_errors(page)
        context.close()
    assert len(set(titles.values())) == len(ACCOUNT_PAGES), titles
