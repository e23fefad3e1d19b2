"""The action page and the roadmap history from fragments per reader class (roadmaps/fragments.py), and the objects
of a workspace URL kept per perimeter (roadmaps/views/base.py): what one class may see or do never shows to another,
each person gets their own CSRF token, a write shows at once, and SQL per page does not grow with the data."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roadmaps import services
from roadmaps.fragments import CSRF_PLACEHOLDER, HISTORY_PAGE_SIZE
from roadmaps.models import Action, ActionStatus, ProgressNote, RoadmapStatus, SubAction
from tests.clefop.factories import MembershipFactory, clefop

from .factories import ActionFactory, add_actions, roadmap_with

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ENTRY = re.compile(r'<article class="fr-mb-3w"\s+aria-labelledby="(version-[a-z-]+-\d+)"')


def action_url(name, action, *args):
    return reverse(f"roadmaps:{name}", args=[action.roadmap.body.slug, action.pk, *args])


def history_url(roadmap, query=""):
    return reverse("roadmaps:roadmap_history", args=[roadmap.body.slug, roadmap.pk]) + query


def signed_in(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


def adopted_action(year=2024, **kwargs):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, start_year=year, end_year=year + 2)
    return ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, **kwargs)


# ---------------------------------------------------------------------------------------------------- action page


def test_action_page_shared_by_a_class_with_each_readers_own_csrf_token(client_for):
    action = adopted_action(title="Forum des métiers")
    url = action_url("action_detail", action)
    first = client_for("member")
    page = first.get(url).content.decode()  # builds the member class's fragment
    assert "Ajouter la sous-action" in page and "Enregistrer le point de suivi" in page
    colleague = signed_in(type(first), MembershipFactory(body=action.roadmap.body).user)
    colleague.get(url)
    with CaptureQueriesContext(connection) as queries:
        other = colleague.get(url).content.decode()
    # Served from the fragment: no query on the action's details (sub-actions, notes, budget, links...).
    assert not any("roadmaps_subaction" in q["sql"] or "roadmaps_progressnote" in q["sql"] for q in queries)
    mine, theirs = set(TOKEN.findall(page)), set(TOKEN.findall(other))
    assert len(TOKEN.findall(page)) >= 5  # status, sub-action, document, budget, indicator forms, deletion
    assert mine and theirs and not mine & theirs  # each reader's own (masked) token, never the other's
    assert CSRF_PLACEHOLDER not in page and CSRF_PLACEHOLDER not in other
    # The token in the page is the reader's own: their form posts go through.
    response = colleague.post(
        action_url("action_item_add", action, "sous-action"),
        {"sub-title": "Réserver la salle", "csrfmiddlewaretoken": theirs.pop()},
    )
    assert response.status_code == 302 and SubAction.objects.filter(action=action).count() == 1


def test_action_page_csrf_token_accepted_by_the_csrf_check(client_for, role_user):
    from django.test import Client

    action = adopted_action()
    url = action_url("action_detail", action)
    client_for("member").get(url)  # the fragment is built by someone else
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(role_user("member"))
    token = TOKEN.search(strict.get(url).content.decode()).group(1)
    refused = strict.post(action_url("action_item_add", action, "sous-action"), {"sub-title": "Sans jeton"})
    assert refused.status_code == 403
    accepted = strict.post(
        action_url("action_item_add", action, "sous-action"), {"sub-title": "Avec jeton", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert list(action.sub_actions.values_list("title", flat=True)) == ["Avec jeton"]


def test_action_page_classes_never_see_each_others_forms(client_for):
    action = adopted_action(title="Action partagée")
    url = action_url("action_detail", action)
    member = client_for("member").get(url).content.decode()  # built and cached first
    assert "Modifier la fiche action" in member and "Ajouter une ligne budgétaire" in member
    for role in ("observer", "crefop", "cdefop"):
        page = client_for(role).get(url).content.decode()
        assert "Action partagée" in page
        assert "Modifier la fiche action" not in page and "Ajouter une ligne budgétaire" not in page
    staff = client_for("staff").get(url).content.decode()
    assert "Modifier la fiche action" in staff


def test_restricted_action_page_stays_with_the_clefop(client_for):
    secret = adopted_action(restricted=True, title="Action secrète")
    url = action_url("action_detail", secret)
    assert client_for("member").get(url).status_code == 200  # cached for the member's perimeter
    assert client_for("observer").get(url).status_code == 200
    for role in ("cdefop", "crefop", "other_member"):
        assert client_for(role).get(url).status_code == 404


def test_action_page_shows_a_write_at_once(client_for, role_user):
    action = adopted_action()
    url = action_url("action_detail", action)
    client = client_for("observer")
    assert "Aucune sous-action." in client.get(url).content.decode()
    services.add_sub_action(action=action, title="Réserver la salle", user=role_user("member"))
    services.update_action_status(
        action=action, user=role_user("member"), status=ActionStatus.DONE, progress=100, comment="Forum tenu"
    )
    page = client.get(url).content.decode()
    assert "Réserver la salle" in page and "Forum tenu" in page and "100 %" in page


def test_action_page_same_query_count_with_few_and_many_details(client_for, role_user):
    client, member = client_for("member"), role_user("member")
    bare = adopted_action(2010)
    full = adopted_action(2013)
    for i in range(12):
        services.add_sub_action(action=full, title=f"Sous-action {i}", user=member)
        ProgressNote.objects.create(
            action=full, author=member, date=datetime.date(2025, 1, 1), status=ActionStatus.IN_PROGRESS, progress=i
        )
        full.pilots.add(MembershipFactory(body=clefop()).user)
    fresh = adopted_action(2016)
    cache.clear()
    client.get(action_url("action_detail", bare))
    with CaptureQueriesContext(connection) as small_built:
        client.get(action_url("action_detail", fresh))
    with CaptureQueriesContext(connection) as large_built:
        client.get(action_url("action_detail", full))
    assert len(small_built) == len(large_built)
    with CaptureQueriesContext(connection) as small:
        client.get(action_url("action_detail", bare))
    with CaptureQueriesContext(connection) as large:
        client.get(action_url("action_detail", full))
    assert len(small) == len(large) < len(large_built)
    # Served from the cache: session user, perimeter, notices.
    assert len(large) <= 4


# ---------------------------------------------------------------------------------------------------- history


def test_history_paginated_newest_first_without_a_cut(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=2 * HISTORY_PAGE_SIZE + 10)
    client = client_for("member")
    pages = [client.get(history_url(roadmap, f"?page={n}")).content.decode() for n in (1, 2, 3, 4)]
    shown = [entry for page in pages[:3] for entry in ENTRY.findall(page)]
    # The roadmap (created, then adopted), its priority and every action: nothing left out, each once.
    total = roadmap.history.count() + 1 + 2 * HISTORY_PAGE_SIZE + 10
    assert len(ENTRY.findall(pages[0])) == HISTORY_PAGE_SIZE and len(shown) == len(set(shown)) == total
    assert "Page suivante" in pages[0] and "Page précédente" in pages[2] and "Page suivante" not in pages[2]
    assert f"Entrées 1 à {HISTORY_PAGE_SIZE} sur {total}" in pages[0]
    newest = Action.history.filter(roadmap_id=roadmap.pk).order_by("-history_date", "-history_id").first()
    assert shown[0] == f"version-action-{newest.history_id}"
    assert shown[-1] == f"version-feuille-de-route-{roadmap.history.earliest('history_date').history_id}"
    assert ENTRY.findall(pages[3]) == ENTRY.findall(pages[2])  # past the end: the last page
    for wrong in ("?page=abc", "?page=-1", "?page=0"):
        response = client.get(history_url(roadmap, wrong))
        assert response.status_code == 200 and ENTRY.findall(response.content.decode()) == ENTRY.findall(pages[0])


def test_history_restricted_actions_by_class(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Action réservée")
    url = history_url(roadmap)
    assert "Action réservée" in client_for("member").get(url).content.decode()  # built and cached first
    assert "Action réservée" in client_for("observer").get(url).content.decode()
    for role in ("crefop", "cdefop"):
        page = client_for(role).get(url).content.decode()
        assert "Action réservée" not in page and "Feuille de route de test" in page
    assert "Action réservée" in client_for("staff").get(url).content.decode()


def test_history_shows_a_write_at_once(client_for, role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=2)
    action = roadmap.actions.order_by("pk").first()
    client = client_for("crefop")
    assert "Nouveau titre" not in client.get(history_url(roadmap)).content.decode()
    services.update_action(
        action=action,
        data={"priority": action.priority, "title": "Nouveau titre"},
        expected_version=action.version,
        user=role_user("member"),
    )
    page = client.get(history_url(roadmap)).content.decode()
    assert "Nouveau titre" in page and page.index("Nouveau titre") < page.index("Création")


def test_history_same_query_count_with_short_and_long_history(client_for):
    client = client_for("member")

    def measure(actions, year):
        roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2, actions=actions, start_year=year)
        add_actions(roadmap, actions * 3)  # no history: bulk
        url = history_url(roadmap, "?page=2")
        client.get(url)
        counts = []
        for clear in (True, False):
            if clear:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return tuple(counts)

    small, large = measure(3, 2020), measure(3 * HISTORY_PAGE_SIZE, 2021)
    assert small == large and small[1] < small[0]
    assert small[1] <= 4  # session user, perimeter, notices (roadmap and entries from the cache)


# ---------------------------------------------------------------------------------------------------- scoped URLs


def test_urls_objects_kept_per_perimeter_never_leak_to_another(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    action = roadmap.actions.get()
    urls = [roadmap.get_absolute_url(), history_url(roadmap), action_url("action_detail", action)]
    for url in urls:
        assert client_for("member").get(url).status_code == 200  # kept for the member's perimeter
        assert client_for("other_member").get(url).status_code == 404
        assert client_for("anonymous").get(url).status_code == 302
        assert client_for("staff").get(url).status_code == 200


def test_membership_ended_closes_the_workspace_at_once(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    membership = MembershipFactory(body=roadmap.body)
    client = signed_in(type(client_for("anonymous")), membership.user)
    urls = [roadmap.get_absolute_url(), action_url("action_detail", roadmap.actions.get())]
    for url in urls:
        assert client.get(url).status_code == 200
    membership.end_date = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    for url in urls:
        assert client.get(url).status_code == 404


def test_history_hides_versions_written_while_restricted(client_for, role_user):
    """An action restricted then made public: readers who may not see restricted actions see its public versions
    only, even when no action of the roadmap is restricted any more."""
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    action = ActionFactory(
        priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Titre confidentiel"
    )
    services.update_action(
        action=action,
        data={"priority": action.priority, "title": "Titre public", "restricted": False},
        expected_version=action.version,
        user=role_user("member"),
    )
    assert not roadmap.actions.filter(restricted=True).exists()
    url = history_url(roadmap)
    assert "Titre confidentiel" in client_for("member").get(url).content.decode()
    for role in ("crefop", "cdefop"):
        page = client_for(role).get(url).content.decode()
        assert "Titre public" in page and "Titre confidentiel" not in page


def test_action_history_hides_versions_written_while_restricted(client_for, role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    action = ActionFactory(
        priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Titre confidentiel"
    )
    action = services.update_action(
        action=action,
        data={"priority": action.priority, "title": "Titre public", "restricted": False},
        expected_version=action.version,
        user=role_user("member"),
    )
    url = action_url("action_history", action)
    assert "Titre confidentiel" in client_for("member").get(url).content.decode()
    page = client_for("crefop").get(url).content.decode()
    assert "Titre public" in page and "Titre confidentiel" not in page
