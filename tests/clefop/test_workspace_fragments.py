"""The cached parts of a body's home and members pages (clefop/fragments.py): per reader class, never per person,
renewed at once by a write, constant SQL, and the cached body read under the same rule as ``Body.objects.for_user``."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clefop.fragments import body_meetings
from clefop.models import Body, Meeting
from clefop.rules import can_read_body
from clefop.services.documents import upload_document
from clefop.services.meetings import create_meeting
from clefop.services.memberships import end_membership
from tests.clefop.conftest import PDF
from tests.clefop.factories import MembershipFactory, OrganisationFactory, WorkingGroupFactory
from tests.second_factor import sign_in

pytestmark = pytest.mark.django_db

ROLES = ["member", "observer", "animateur", "cochair", "other_member", "cdefop", "crefop", "staff", "user"]


def members_url(body):
    return reverse("clefop:body_members", args=[body.slug])


def test_cached_body_is_read_under_the_rule_of_for_user(role_user, nantes, angers):
    nantes_group = WorkingGroupFactory(parent=nantes)
    angers_group = WorkingGroupFactory(parent=angers)
    bodies = list(Body.objects.select_related("territory", "parent", "parent__territory"))
    assert nantes_group in bodies and angers_group in bodies
    for role in ROLES:
        user = role_user(role)
        readable = set(Body.objects.for_user(user).values_list("pk", flat=True))
        for body in bodies:
            assert can_read_body(user, body) == (body.pk in readable), (role, body)


def test_body_pages_404_outside_the_reader_scope(client_for, nantes, angers):
    for url in (angers.get_absolute_url(), members_url(angers), "/instances/inconnue/"):
        assert client_for("member").get(url).status_code == 404
    assert client_for("cdefop").get(members_url(nantes)).status_code == 200
    assert client_for("cdefop").get(members_url(angers)).status_code == 404
    assert client_for("crefop").get(members_url(angers)).status_code == 200


def test_member_table_differs_by_reader_class_never_by_person(client_for, role_user, workspace):
    body, membership = workspace["body"], workspace["membership"]
    end_link = reverse("clefop:membership_end", args=[body.slug, membership.pk])
    for role in ("member", "observer", "cochair", "cdefop", "crefop"):
        html = client_for(role).get(members_url(body)).content.decode()
        assert str(membership.user) in html and membership.user.email not in html and end_link not in html, role
        assert "invitee@exemple.fr" not in html
        assert role_user(role).display_name in html  # their own name, in the page's header
    for role in ("animateur", "staff"):
        html = client_for(role).get(members_url(body)).content.decode()
        assert membership.user.email in html and end_link in html and "invitee@exemple.fr" in html, role
        assert role_user(role).display_name in html


def test_two_managers_get_their_own_csrf_tokens(role_user, workspace):
    """The invitation forms are outside the fragments: each manager's page carries a token of their own cookie."""
    body, invitation = workspace["body"], workspace["invitation"]
    second = MembershipFactory(body=body, position="animateur").user
    clients, tokens = [], []
    for user in (role_user("animateur"), second):
        client = Client(enforce_csrf_checks=True)
        sign_in(client, user)
        html = client.get(members_url(body)).content.decode()
        assert user.display_name in html
        tokens.append(html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
        clients.append(client)
    resend = reverse("clefop:invitation_resend", args=[body.slug, invitation.pk])
    assert clients[0].post(resend, {"csrfmiddlewaretoken": tokens[1]}).status_code == 403
    assert clients[0].post(resend, {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert clients[1].post(resend, {"csrfmiddlewaretoken": tokens[1]}).status_code == 302


def test_writes_show_at_once_on_both_pages(client_for, role_user, workspace, staff_user):
    body = workspace["body"]
    client = client_for("member")
    client.get(body.get_absolute_url()), client.get(members_url(body))  # fragments built and cached
    newcomer = MembershipFactory(body=body, organisation=OrganisationFactory(name="Mission locale du Vignoble"))
    upload_document(body=body, title="Compte rendu de mars", data=PDF, filename="cr.pdf", by=staff_user)
    group = WorkingGroupFactory(parent=body, name="Mobilité des jeunes")
    home = client.get(body.get_absolute_url()).content.decode()
    assert str(newcomer.user) in home and "Mission locale du Vignoble" in home
    assert "Compte rendu de mars" in home and group.name in home
    assert str(newcomer.user) in client.get(members_url(body)).content.decode()
    end_membership(membership=newcomer, by=role_user("animateur"))
    html = client.get(members_url(body)).content.decode()
    history = html.split("Historique")[1]
    assert str(newcomer.user) in history
    newcomer.user.last_name = "Renommée"
    newcomer.user.save()
    assert "Renommée" in client.get(members_url(body)).content.decode()  # the people's names (accounts)


def test_meeting_split_at_the_current_hour(client_for, nantes, staff_user, monkeypatch):
    now = timezone.now()
    ends_soon = create_meeting(
        body=nantes,
        by=staff_user,
        title="Bureau du matin",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(minutes=30),
    )
    client = client_for("member")
    html = client.get(nantes.get_absolute_url()).content.decode()
    assert "Bureau du matin" in html.split("Dernière réunion")[0]
    later = now + datetime.timedelta(minutes=31)
    if timezone.localdate(later) != timezone.localdate(now):
        pytest.skip("the day turns within the test")
    monkeypatch.setattr(timezone, "now", lambda: later)
    upcoming, last = body_meetings(nantes)
    assert ends_soon not in upcoming and last == ends_soon
    html = client.get(nantes.get_absolute_url()).content.decode()
    assert "Dernière réunion : <a" in html and "Bureau du matin" in html.split("Dernière réunion")[1]


def test_body_meetings_agree_with_the_database(nantes, staff_user, monkeypatch):
    now = timezone.now().replace(hour=12, minute=0)
    for index, (start, hours) in enumerate([(-30, 2), (-4, 1), (-2, 5), (-1, 1), (1, 1), (3, 2), (26, 1), (50, 1)]):
        create_meeting(
            body=nantes,
            by=staff_user,
            title=f"Réunion {index}",
            kind="plenary",
            mode="in_person",
            place="Nantes",
            start=now + datetime.timedelta(hours=start),
            end=now + datetime.timedelta(hours=start + hours),
        )
    for offset in (-5, 0, 2, 4, 11):
        at = now + datetime.timedelta(hours=offset)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        upcoming, last = body_meetings(nantes)
        assert upcoming == list(Meeting.objects.filter(body=nantes).upcoming()[:3]), offset
        assert last == Meeting.objects.filter(body=nantes).past().first(), offset


@pytest.mark.parametrize("role", ["member", "animateur"])
def test_members_page_query_count_is_constant(client_for, nantes, role):
    client = client_for(role)
    client.get(members_url(nantes))
    with CaptureQueriesContext(connection) as small:
        client.get(members_url(nantes))
    for _ in range(8):
        MembershipFactory(body=nantes, organisation=OrganisationFactory())
    end_membership(membership=MembershipFactory(body=nantes), by=None)
    client.get(members_url(nantes))  # the writes renew the reader's cached account and positions: read once
    with CaptureQueriesContext(connection) as large:
        client.get(members_url(nantes))
    assert len(large) == len(small)


def test_body_home_and_members_build_their_lists_once(client_for, nantes):
    """Read twice, the lists come from the cache: no query on memberships, documents or working groups."""
    client = client_for("member")
    for url in (nantes.get_absolute_url(), members_url(nantes)):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        tables = " ".join(query["sql"] for query in queries)
        assert "clefop_membership" not in tables and "clefop_document" not in tables, url
        assert 'FROM "clefop_body"' not in tables, url
