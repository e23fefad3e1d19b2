"""Sign in, visit home and a territory page: no console error, axe-core 0 violations."""

import pytest

from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors, login

pytestmark = pytest.mark.browser


def test_anonymous_home_and_territory(page):
    page.goto(page.base_url + "/")
    assert "territoires EFOP" in page.content()
    assert page.locator(".srefop-map svg").count() == 1
    assert_accessible(page)
    page.click("text=Découvrir les territoires")
    page.wait_for_load_state()
    assert_accessible(page)
    page.locator(".srefop-map a").first.click()
    page.wait_for_load_state()
    assert "/territoires/" in page.url
    assert "Composition" in page.content()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_sign_in_then_profile(page):
    user = UserFactory(email="claire@exemple.fr")
    page.goto(page.base_url + "/compte/login/")
    assert_accessible(page)
    login(page, user.email)
    assert page.locator("text=Se déconnecter").count() >= 1
    page.goto(page.base_url + "/profil/")
    assert_accessible(page)
    page.goto(page.base_url + "/territoires/44-NAN/")
    assert_accessible(page)
    assert_no_console_errors(page)
