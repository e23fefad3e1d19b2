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
