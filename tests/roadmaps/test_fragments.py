"""The roadmap page from fragments per reader class (roadmaps/fragments.py): shared by the people of a class, never
leaking what another class may see or do, large priorities collapsed with the rest on demand (HTMX) or page by page
(without JavaScript), and SQL per page that does not grow with the roadmap."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps import services
from roadmaps.fragments import COLLAPSE_AFTER, PAGE_SIZE, reader_class, roadmap_permissions
from roadmaps.models import ActionStatus, RoadmapStatus
from tests.clefop.factories import MembershipFactory, clefop

from .factories import ActionFactory, add_actions, roadmap_with

pytestmark = pytest.mark.django_db

ROW_LINK = re.compile(r'<a href="/instances/[^"]+/feuille-de-route/actions/(\d+)/"')


def priority_url(roadmap, priority, query=""):
    return reverse("roadmaps:priority_actions", args=[roadmap.body.slug, roadmap.pk, priority.pk]) + query


def htmx_get(client, url):
    return client.get(url, headers={"HX-Request": "true"})


def action_ids(html: str) -> list[int]:
    return [int(pk) for pk in ROW_LINK.findall(html)]


def test_reader_classes_follow_what_a_reader_may_see_and_do_not_who_they_are(role_user):
    body = clefop()
    member, other_member = role_user("member"), MembershipFactory(body=body).user
    classes = {
        role: reader_class(role_user(role), body)
        for role in ("member", "observer", "animateur", "cochair", "staff", "cdefop", "crefop")
    }
    assert reader_class(other_member, body) == classes["member"]  # two people, one class
    assert classes["cdefop"] == classes["crefop"]  # overseers: read, no restricted actions, no edit
    assert len({c.key for c in classes.values()}) == 6
    assert classes["member"].sees_restricted and classes["observer"].sees_restricted
    assert not classes["crefop"].sees_restricted and not classes["crefop"].can_edit
    assert classes["member"].can_edit and not classes["observer"].can_edit
    assert dict(classes["staff"].permissions) == roadmap_permissions(role_user("staff"), body)
    assert member != other_member


def test_fragment_built_once_per_class_and_served_to_another_person_of_that_class(client_for, role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2, actions=4)
    url = roadmap.get_absolute_url()
    mine = roadmap.actions.order_by("pk").first()
    mine.pilots.add(role_user("member"))
    first = client_for("member")
    assert first.get(url).status_code == 200  # builds the member class's fragments
    colleague = MembershipFactory(body=roadmap.body)
    second = type(first)()
    second.force_login(colleague.user)
    second.get(url)  # session, perimeter
    with CaptureQueriesContext(connection) as queries:
        page = second.get(url).content.decode()
    assert not any('"roadmaps_action"' in q["sql"] and "JOIN" not in q["sql"] for q in queries.captured_queries)
    assert "Vous pilotez" not in page  # the first member's own pilotage stays theirs
    assert "Vous pilotez 1 action" in first.get(url).content.decode()
    assert len(action_ids(page)) == 4


def test_classes_never_see_each_others_fragments(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=2)
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Action réservée")
    url = roadmap.get_absolute_url()
    member_page = client_for("member").get(url).content.decode()  # built and cached first
    assert "Action réservée" in member_page and "Modifier le statut" in member_page
    observer_page = client_for("observer").get(url).content.decode()
    assert "Action réservée" in observer_page and "Modifier le statut" not in observer_page
    crefop_page = client_for("crefop").get(url).content.decode()
    assert "Action réservée" not in crefop_page and "Modifier le statut" not in crefop_page
    assert "Restreinte" not in crefop_page
    staff_page = client_for("staff").get(url).content.decode()
    assert "Action réservée" in staff_page and "Modifier le statut" in staff_page


def test_draft_buttons_carry_the_readers_own_csrf_token_outside_the_fragments(client_for):
    roadmap = roadmap_with(priorities=1)  # a draft, one empty priority: « Supprimer la priorité »
    first, second = client_for("member"), client_for("animateur")
    tokens = []
    for client in (first, second):
        page = client.get(roadmap.get_absolute_url()).content.decode()
        assert "Supprimer la priorité" in page
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    assert tokens[0] != tokens[1]
    assert client_for("observer").get(roadmap.get_absolute_url()).content.decode().count("csrfmiddlewaretoken") < 2


def test_large_priority_collapsed_with_the_rest_on_demand(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2)
    big = add_actions(roadmap, COLLAPSE_AFTER + PAGE_SIZE + 7)
    small = add_actions(roadmap, 3, priority=roadmap.priorities.get(order=2), prefix="Petite")
    client = client_for("member")
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert len(action_ids(page)) == COLLAPSE_AFTER + 3
    assert "Action en masse 001" in page and f"Action en masse {COLLAPSE_AFTER + 1:03d}" not in page
    more = re.search(r'<tr id="suite-priorite-(\d+)".*?</tr>', page, re.S)
    assert int(more.group(1)) == big.pk and f"suite-priorite-{small.pk}" not in page
    row = more.group(0)
    assert f'href="{priority_url(roadmap, big, "?page=1")}"' in row  # without JavaScript: the page of the priority
    assert f'hx-get="{priority_url(roadmap, big, f"?debut={COLLAPSE_AFTER}")}"' in row
    assert f"Afficher {PAGE_SIZE} actions de plus" in row and f"({PAGE_SIZE + 7} non affichées" in row
    assert "Voir toutes les actions" in page

    # HTMX: the next rows, the first one focused, then the next « afficher la suite » row.
    response = htmx_get(client, priority_url(roadmap, big, f"?debut={COLLAPSE_AFTER}"))
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    rows = response.content.decode()
    assert "<html" not in rows and rows.count("<tr") == PAGE_SIZE + 1
    ids = action_ids(rows)
    expected = list(big.actions.order_by("order", "pk").values_list("pk", flat=True))
    assert ids == expected[COLLAPSE_AFTER : COLLAPSE_AFTER + PAGE_SIZE]
    assert rows.index("autofocus") < rows.index(f"/actions/{ids[1]}/")
    assert f"?debut={COLLAPSE_AFTER + PAGE_SIZE}" in rows and "Afficher 7 actions de plus" in rows
    # The status links of loaded rows come back to the roadmap page.
    assert f"?next={roadmap.get_absolute_url()}" in rows
    last = htmx_get(client, priority_url(roadmap, big, f"?debut={COLLAPSE_AFTER + PAGE_SIZE}")).content.decode()
    assert action_ids(last) == expected[COLLAPSE_AFTER + PAGE_SIZE :] and "suite-priorite" not in last


def test_priority_page_without_javascript_pages_through_every_action(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1)
    priority = add_actions(roadmap, PAGE_SIZE + 12)
    expected = list(priority.actions.order_by("order", "pk").values_list("pk", flat=True))
    client = client_for("observer")
    first = client.get(priority_url(roadmap, priority)).content.decode()
    assert action_ids(first) == expected[:PAGE_SIZE]
    assert f"Actions 1 à {PAGE_SIZE} sur {PAGE_SIZE + 12}" in first and "Page suivante" in first
    assert "autofocus" not in first and "Modifier le statut" not in first  # observers read
    second = client.get(priority_url(roadmap, priority, "?page=2")).content.decode()
    assert action_ids(second) == expected[PAGE_SIZE:] and "Page précédente" in second
    for wrong in ("?page=999", "?page=abc", "?page=-3", "?debut=oops"):
        response = client.get(priority_url(roadmap, priority, wrong))
        assert response.status_code == 200
        assert action_ids(response.content.decode()) in (expected[:PAGE_SIZE], expected[PAGE_SIZE:])
    assert action_ids(client.get(priority_url(roadmap, priority, "?page=999")).content.decode()) == expected[PAGE_SIZE:]
    # A member's status links come back to this page.
    member_page = client_for("member").get(priority_url(roadmap, priority, "?page=2")).content.decode()
    assert "?next=" + priority_url(roadmap, priority) + '"' in member_page


def test_priority_page_scoped_like_the_roadmap(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, restricted=True, title="Action réservée")
    other = roadmap_with(status=RoadmapStatus.ADOPTED, territory="49-ANG", priorities=1, actions=1)
    url = priority_url(roadmap, roadmap.priorities.get())
    assert "Action réservée" in client_for("member").get(url).content.decode()
    assert "Action réservée" not in client_for("crefop").get(url).content.decode()
    assert "Action réservée" not in htmx_get(client_for("cdefop"), url + "?debut=0").content.decode()
    # A priority of another roadmap under this roadmap's URL, another Clefop's roadmap: 404.
    wrong = reverse("roadmaps:priority_actions", args=[roadmap.body.slug, roadmap.pk, other.priorities.get().pk])
    assert client_for("staff").get(wrong).status_code == 404
    assert client_for("member").get(priority_url(other, other.priorities.get())).status_code == 404


def test_status_change_shows_at_once_in_the_fragments(client_for, role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1)
    priority = add_actions(roadmap, COLLAPSE_AFTER + 2)
    client = client_for("member")
    average = re.compile(r'Avancement moyen</p>\s*<p class="fr-h3 fr-mb-1w">([^<]+)</p>')
    assert average.search(client.get(roadmap.get_absolute_url()).content.decode()).group(1) == "40 %"
    assert "100 %" not in htmx_get(client, priority_url(roadmap, priority, f"?debut={COLLAPSE_AFTER}")).content.decode()
    action = priority.actions.order_by("order", "pk").last()
    services.update_action_status(action=action, user=role_user("member"), status=ActionStatus.DONE, progress=100)
    rows = htmx_get(client, priority_url(roadmap, priority, f"?debut={COLLAPSE_AFTER}")).content.decode()
    assert "100 %" in rows
    assert average.search(client.get(roadmap.get_absolute_url()).content.decode()).group(1) != "40 %"


def _count(client, url, *, htmx=False):
    """Queries of one request with the fragments built, then served from the cache."""
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = htmx_get(client, url) if htmx else client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    return tuple(counts)


@pytest.mark.parametrize("kind", ["page", "htmx"])
def test_priority_endpoints_same_query_count_with_few_and_many_actions(client_for, kind):
    client = client_for("member")

    def measure(n, year):
        roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, start_year=year)
        priority = add_actions(roadmap, n)
        for action in priority.actions.all()[:3]:
            action.pilots.add(MembershipFactory(body=clefop()).user)
        url = priority_url(roadmap, priority, "?page=2" if kind == "page" else f"?debut={COLLAPSE_AFTER}")
        client.get(url)  # session, perimeter, DSFR configuration
        return _count(client, url, htmx=kind == "htmx")

    small, large = measure(COLLAPSE_AFTER + 2, 2020), measure(400, 2021)
    assert small == large
    assert small[1] < small[0]
    # Served from the cache: session, user, perimeter, roadmap and body, priorities (cached), notices.
    assert small[1] <= 5
