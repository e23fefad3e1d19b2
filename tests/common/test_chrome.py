"""The fixed cost of a page (issue 18): the chrome cached per reader class, the account, positions and unread notices
read from the cache — and every write still showing at once, nothing of a person shown to another."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clefop.models import Membership, Position, perimeter_of
from srefop_portal.common import chrome
from srefop_portal.common.notifications import notify
from territories.models import Territory
from tests.accounts.factories import UserFactory
from tests.clefop.factories import MembershipFactory
from tests.second_factor import sign_in

pytestmark = pytest.mark.django_db


def _signed_in(user):
    client = Client()
    sign_in(client, user)
    return client


def _csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _nonces(html):
    return set(re.findall(r'nonce="([^"]*)"', html))


def test_two_members_of_one_class_share_the_chrome_but_see_their_own_name_notices_and_token():
    from clefop.models import Body

    nantes = Body.objects.get(territory__code="44-NAN")
    alice = UserFactory(first_name="Alice", last_name="Martin")
    bruno = UserFactory(first_name="Bruno", last_name="Petit")
    for person in (alice, bruno):
        MembershipFactory(user=person, body=nantes, position=Position.MEMBER)
    notify([alice], subject="Rapport", message="Votre rapport est prêt.", email=False)
    chrome._memo.clear()
    pages = {}
    for person in (alice, bruno):
        client = _signed_in(person)
        pages[person.first_name] = client.get(reverse("territories:list")).content.decode()
    # One entry per included part, shared by the two members (same reader class).
    assert len([key for key in chrome._memo if key[0] == "includes/header.html"]) == 1
    alice_html, bruno_html = pages["Alice"], pages["Bruno"]
    assert "Alice Martin" in alice_html and "Bruno Petit" not in alice_html
    assert "Bruno Petit" in bruno_html and "Alice Martin" not in bruno_html
    assert "Notifications (1)" in alice_html and "Notifications (1)" not in bruno_html
    assert _csrf(alice_html) != _csrf(bruno_html)
    assert _nonces(alice_html) != _nonces(bruno_html) and "" not in _nonces(alice_html) | _nonces(bruno_html)
    assert chrome.NONCE not in alice_html and chrome.SLOT not in alice_html


def test_reader_classes_get_their_own_navigation(client_for):
    anonymous = Client().get(reverse("territories:list")).content.decode()
    member = client_for("member").get(reverse("territories:list")).content.decode()
    staff = client_for("staff").get(reverse("territories:list")).content.decode()
    unverified = client_for("staff_password_only").get(reverse("territories:list")).content.decode()
    assert "Se connecter" in anonymous and "Mes instances" not in anonymous and "Se déconnecter" not in anonymous
    assert "Mes instances" in member and ">Gestion<" not in member and "Se connecter</a>" not in member
    assert ">Gestion<" in staff
    assert ">Gestion<" not in unverified  # a session without the second factor has no staff powers
    # The active section and the home link follow the page.
    assert re.search(r'href="/territoires/"\s+aria-current="page"', member)
    home = Client().get(reverse("home")).content.decode()
    assert re.search(r'href="/"\s+aria-current="page"', home) and not re.search(r'href="/"\s+aria-current', member)


def test_a_new_notice_and_reading_them_show_at_once():
    person = UserFactory()
    client = _signed_in(person)
    url = reverse("territories:list")
    assert "Notifications (" not in client.get(url).content.decode()
    notify([person], subject="Rapport", message="Votre rapport est prêt.", email=False)
    assert "Notifications (1)" in client.get(url).content.decode()
    client.post(reverse("common:notices"))
    assert "Notifications (" not in client.get(url).content.decode()


def test_account_changes_apply_at_once_though_the_account_is_cached():
    person = UserFactory(first_name="Claire", last_name="Durand")
    client = _signed_in(person)
    url = reverse("territories:list")
    assert "Claire Durand" in client.get(url).content.decode()
    person.first_name = "Clara"
    person.save()
    assert "Clara Durand" in client.get(url).content.decode()
    person.set_password("un-autre-mot-de-passe-2026")
    person.save()
    assert "Se connecter" in client.get(url).content.decode()  # the session of the old password is over
    other = UserFactory()
    other_client = _signed_in(other)
    assert other.display_name in other_client.get(url).content.decode()
    other.is_active = False
    other.save()
    assert other.display_name not in other_client.get(url).content.decode()


def test_positions_follow_memberships_at_once():
    from clefop.models import Body

    person = UserFactory()
    client = _signed_in(person)
    nantes = Body.objects.get(territory__code="44-NAN")
    workspace = nantes.get_absolute_url()
    assert client.get(workspace).status_code == 404
    membership = MembershipFactory(user=person, body=nantes, position=Position.MEMBER)
    assert client.get(workspace).status_code == 200
    Membership.objects.filter(pk=membership.pk).delete()
    assert client.get(workspace).status_code == 404


def test_a_signed_in_page_reads_neither_account_positions_nor_notices_once_cached(client_for):
    client = client_for("crefop")
    url = reverse("roadmaps:dashboard_region")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "accounts_user" not in sql and "clefop_membership" not in sql and "common_notice" not in sql


def test_perimeter_is_read_once_per_request_and_per_user(role_user):
    member = role_user("member")
    first = perimeter_of(member)
    assert perimeter_of(member) is first and first.positions


def test_the_territory_page_shows_a_new_name_at_once(client):
    url = reverse("territories:detail", args=["44-NAN"])
    client.get(url)
    Territory.objects.filter(code="44-NAN").update(name="Nantes (renommé)")
    assert "Nantes (renommé)" in client.get(url).content.decode()
