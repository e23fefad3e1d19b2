"""The invitation journey, as a new user would: an animateur invites a person, who accepts, sees the
workspace of that Clefop and nothing of another Clefop (404). axe-core finds no violation on each page."""

import re

import pytest
from django.core import mail

from clefop.models import Position
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, login
from tests.clefop.factories import MembershipFactory, clefop

pytestmark = pytest.mark.browser


def test_invitation_journey(page):
    animateur = UserFactory(email="animatrice@exemple.fr")
    MembershipFactory(user=animateur, body=clefop("44-NAN"), position=Position.ANIMATEUR)
    base = page.base_url

    login(page, "animatrice@exemple.fr")
    page.goto(base + "/instances/")
    assert page.get_by_role("heading", name="Mes instances").is_visible()
    assert_accessible(page)

    page.goto(base + "/instances/clefop-44-nan/")
    assert_accessible(page)
    page.get_by_role("link", name="Inviter une personne").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("nouveau.membre@exemple.fr")
    page.get_by_label("Prénom").fill("Noé")
    page.get_by_label("Fonction").select_option("member")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    page.wait_for_load_state()
    assert "Invitation envoyée" in page.content()
    assert "nouveau.membre@exemple.fr" in page.content()
    assert_accessible(page)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/instances/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("/instances/", 1)[1]

    invitee = page.context.browser.new_context(locale="fr-FR", bypass_csp=True)
    other = invitee.new_page()
    try:
        other.goto(base + "/instances/" + path)
        assert "Rejoindre Clefop Nantes" in other.content()
        assert_accessible(other)
        other.get_by_label("Nom", exact=True).fill("Martin")
        other.fill("input[name=password1]", "un-mot-de-passe-solide-2026")
        other.fill("input[name=password2]", "un-mot-de-passe-solide-2026")
        other.get_by_role("button", name="Créer mon compte et rejoindre l’instance").click()
        other.wait_for_load_state()
        assert other.url.endswith("/instances/clefop-44-nan/")
        assert other.get_by_role("heading", name="Clefop Nantes", level=1).is_visible()
        assert "Bienvenue dans Clefop Nantes" in other.content()
        # The members list of the home page is a cached fragment: the new member is in it at once.
        assert "Martin" in other.get_by_role("region", name=re.compile("Membres")).inner_text()
        assert_accessible(other)
        other.goto(base + "/instances/clefop-44-nan/membres/")
        assert "Martin" in other.get_by_role("table").first.inner_text()
        assert "nouveau.membre@exemple.fr" not in other.content()  # addresses are for the managers
        assert_accessible(other)

        response = other.goto(base + "/instances/clefop-49-ang/")
        assert response.status == 404
        assert_accessible(other)
    finally:
        invitee.close()
