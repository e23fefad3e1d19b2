"""The catalogue and the session list from fragments (offer/fragments.py): shared by every reader but for the bits
that are theirs (the « À revoir » badge of the dispositifs they may edit, their own registrations), changed at once
by a write, and read in a number of queries that does not grow with the data."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offer import services
from offer.models import Dispositif, Session
from tests.offer.factories import DispositifFactory, SessionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("offer:dispositif_list")
SESSIONS = reverse("offer:session_list")
BADGE = "À revoir (non revu depuis 12 mois)"


def text(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_review_badge_is_for_the_editors_of_each_card_only(client_for, role_user):
    organisation = role_user("member").memberships.get().organisation
    DispositifFactory(
        name="Vieux", carrier=organisation, last_reviewed_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    # Built by a reader who may not edit it, then read from the cache by one who may, and back.
    for role, sees in (("other_member", False), ("member", True), ("staff", True), ("anonymous", False)):
        page = text(client_for(role), LIST)
        assert "Vieux" in page
        assert (BADGE in page) is sees, role


def test_a_write_changes_the_cards_and_filters_at_once(client_for, role_user):
    member = role_user("member")
    dispositif = DispositifFactory(name="Premier nom", carrier=member.memberships.get().organisation)
    client = client_for("member")
    assert "Premier nom" in text(client, LIST)
    dispositif.name = "Nom revu"
    services.save_dispositif(dispositif=dispositif, territories=[], by=member)
    page = text(client, LIST)
    assert "Nom revu" in page and "Premier nom" not in page
    # A new carrier appears at once among the choices of the « structure porteuse » filter.
    other = DispositifFactory(name="Autre porteur")
    assert f'<option value="{other.carrier_id}">{other.carrier.name}</option>' in text(client, LIST)
    Dispositif.objects.filter(pk=other.pk).delete()
    assert "Autre porteur" not in text(client, LIST)


def test_filter_values_and_errors_are_never_shared(client):
    DispositifFactory(name="Local", territories=[], level="local")
    page = text(client, LIST, {"echelon": "local", "q": "Local"})
    assert '<option value="local" selected>' in page and 'value="Local"' in page
    page = text(client, LIST, {"echelon": "inconnu", "q": "autre"})
    assert "inconnu n’en fait pas partie" in page and 'value="autre"' in page
    assert '<option value="local" selected>' not in page
    page = text(client, LIST)
    assert "n’en fait pas partie" not in page and "selected>Tous les échelons" in page


def test_catalogue_query_count_does_not_grow_warm_or_cold(client_for):
    client = client_for("member")
    client.get(
        LIST
    )  # the person's account, read once from the database then from the cache (srefop_portal/common/middleware.py)

    def count(n):
        Dispositif.objects.all().delete()  # a write: the cards and filters are built again
        for _ in range(n):
            DispositifFactory()
        with CaptureQueriesContext(connection) as cold:
            client.get(LIST)
        with CaptureQueriesContext(connection) as warm:
            client.get(LIST)
        count.warm = [query["sql"] for query in warm.captured_queries]
        return len(cold), len(warm)

    assert count(1) == count(45)
    # Warm, the page's list, its cards, the filters and the person's carriers come from the cache: what is left is the
    # session, which these test settings keep in the database.
    assert all('"django_session"' in sql for sql in count.warm)


def test_the_list_of_a_page_is_shared_by_the_same_filters_only(client):
    for n in range(25):
        DispositifFactory(name=f"Dispositif {n:02d}", level="local" if n % 2 else "regional")
    assert "25 dispositifs" in text(client, LIST)
    assert "25 dispositifs" in text(client, LIST, {"utm_source": "lettre"})  # an unknown parameter: the same list
    assert "12 dispositifs" in text(client, LIST, {"echelon": "local"})
    second = text(client, LIST, {"page": "2"})
    assert "Dispositif 20" in second and "Dispositif 00" not in second
    assert client.get(LIST, {"page": "9"}).status_code == 404  # checked when built, never cached


def test_a_new_membership_makes_its_carrier_editable_at_once(client_for, role_user):
    member = role_user("other_member")
    old = DispositifFactory(name="Vieux", last_reviewed_on=timezone.localdate() - datetime.timedelta(days=400))
    client = client_for("other_member")
    assert BADGE not in text(client, LIST)
    membership = member.memberships.get()
    membership.organisation = old.carrier
    membership.save()
    assert BADGE in text(client, LIST)


def test_sessions_show_each_reader_their_own_registration(client_for, role_user):
    session = SessionFactory(title="Atelier repères", capacity=10)
    services.register(session=session, user=role_user("member"))
    for _ in range(2):  # built, then from the cache
        mine = text(client_for("member"), SESSIONS)
        theirs = text(client_for("other_member"), SESSIONS)
        assert "Atelier repères" in mine and "Atelier repères" in theirs
        assert "Inscrit·e</span>" in mine and "Inscrit·e</span>" not in theirs
        assert "1 / 10" in mine and "1 / 10" in theirs
    # A registration (a write) shows at once, in the count of places and in the new registrant's page.
    services.register(session=session, user=role_user("other_member"))
    theirs = text(client_for("other_member"), SESSIONS)
    assert "2 / 10" in theirs and "Inscrit·e</span>" in theirs


def test_an_ended_session_moves_to_the_past_ones_without_any_write(client, monkeypatch):
    now = timezone.now()
    SessionFactory(
        title="Webinaire du jour", start=now + datetime.timedelta(minutes=10), end=now + datetime.timedelta(hours=1)
    )
    page = text(client, SESSIONS)
    assert "Webinaire du jour" in page and "Sessions passées" not in page
    later = now + datetime.timedelta(hours=2)
    monkeypatch.setattr("offer.fragments.timezone.now", lambda: later)
    page = text(client, SESSIONS)
    assert "Sessions passées (20 dernières)" in page
    assert page.index("Webinaire du jour") > page.index("Sessions passées (20 dernières)")


def test_session_list_query_count_does_not_grow(client_for):
    client = client_for("member")
    client.get(
        LIST
    )  # the person's account, read once from the database then from the cache (srefop_portal/common/middleware.py)

    def count(n):
        Session.objects.all().delete()
        for index in range(n):
            SessionFactory(start=timezone.now() + datetime.timedelta(days=index - n // 2, hours=1))
        client.get(SESSIONS)
        with CaptureQueriesContext(connection) as warm:
            client.get(SESSIONS)
        return len(warm)

    assert count(1) == count(30)
