"""The public pages of the roadmaps app served from cached fragments (issue 18): the list of préconisations and the
page of an adopted roadmap. The same for every reader, a write shown at once, filters unchanged, constant SQL."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.models import Action, ActionStatus, AmbitionSheet, AnnualReview, Recommendation, Roadmap, RoadmapStatus
from territories.models import Territory

from .factories import ActionFactory, PriorityFactory, RecommendationFactory, add_actions, roadmap_with

pytestmark = pytest.mark.django_db

LIST = reverse("roadmaps:recommendation_list")


def codes(response) -> list[str]:
    """The codes of the préconisations listed (first cell of each row)."""
    return re.findall(r'<td class="srefop-nowrap">([^<]+)</td>', response.content.decode())


def queries(client, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries), response


# ------------------------------------------------------------------------------------------------ préconisations


def test_recommendation_filters_select_what_they_say(client):
    sheets = list(AmbitionSheet.objects.select_related("ambition").order_by("code")[:2])
    nantes = Territory.objects.get(code="44-NAN")
    RecommendationFactory(code="T-A", sheet=sheets[0], evolution="develop")
    second = RecommendationFactory(code="T-B", sheet=sheets[1], evolution="reduce")
    second.territories.add(nantes)
    assert {"T-A", "T-B"} <= set(codes(client.get(LIST)))
    assert "T-B" not in codes(client.get(LIST, {"fiche": sheets[0].code}))
    assert codes(client.get(LIST, {"fiche": sheets[1].code})) == ["T-B"]
    assert "T-A" not in codes(client.get(LIST, {"evolution": "reduce"}))
    assert codes(client.get(LIST, {"territoire": "44-NAN"})) == ["T-B"]
    assert "T-B" not in codes(client.get(LIST, {"territoire": "region"}))
    assert "T-A" in codes(client.get(LIST, {"territoire": "region"}))
    # Typed search (rendered at each request) and a value the form does not offer (nothing matches).
    assert codes(client.get(LIST, {"q": "T-B"})) == ["T-B"]
    assert codes(client.get(LIST, {"fiche": "PAS-UNE-FICHE"})) == []
    page = client.get(LIST, {"evolution": "reduce", "q": "<script>"}).content.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page  # the typed text is escaped in the form
    # The option chosen is selected in the form of a cached list.
    page = client.get(LIST, {"evolution": "reduce"}).content.decode()
    assert re.search(r'<option value="reduce"\s+selected', page)


def test_recommendation_list_pages_keep_the_filters(client):
    sheet = AmbitionSheet.objects.order_by("code").first()
    Recommendation.objects.bulk_create(
        Recommendation(code=f"P-{n:03d}", title=f"Préconisation {n}", sheet=sheet, evolution="adapt") for n in range(65)
    )
    page = client.get(LIST, {"evolution": "adapt", "utm_source": "lettre"}).content.decode()
    assert "?evolution=adapt&amp;page=2" in page and "utm_source" not in page
    assert codes(client.get(LIST, {"evolution": "adapt", "page": "3"}))[0] == "P-060"
    assert codes(client.get(LIST, {"evolution": "adapt", "page": "last"}))[0] == "P-060"
    assert client.get(LIST, {"evolution": "adapt", "page": "4"}).status_code == 404
    assert client.get(LIST, {"evolution": "adapt", "page": "abc"}).status_code == 404
    assert client.get(LIST, {"q": "Préconisation", "page": "2"}).content.decode().count("page=3") >= 1


def test_recommendation_list_shows_writes_at_once(client):
    sheet = AmbitionSheet.objects.order_by("code").first()
    recommendation = RecommendationFactory(code="T-NEW", sheet=sheet, title="Avant")
    assert "Avant" in client.get(LIST).content.decode()  # cached
    Recommendation.objects.filter(pk=recommendation.pk).update(title="Après")
    page = client.get(LIST).content.decode()
    assert "Après" in page and "Avant" not in page
    # The count of actions of adopted roadmaps taking it up.
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    roadmap.actions.get().recommendations.add(recommendation)
    row = re.search(r"T-NEW</td>.*?</tr>", client.get(LIST).content.decode(), re.S).group(0)
    assert re.search(r"<td>1</td>\s*</tr>", row)


def test_recommendation_list_same_queries_whatever_the_size(client):
    sheet = AmbitionSheet.objects.order_by("code").first()

    def count(n):
        Recommendation.objects.bulk_create(
            Recommendation(code=f"S{n}-{i:03d}", title=f"P {i}", sheet=sheet, evolution="adapt") for i in range(n)
        )
        client.get(LIST)  # warm (DSFR configuration...)
        cache.clear()
        built, _ = queries(client, LIST)
        served, _ = queries(client, LIST + "?evolution=adapt")
        served_again, _ = queries(client, LIST + "?evolution=adapt")
        typed, _ = queries(client, LIST + "?q=P")
        return built, served_again, typed

    small = count(3)
    assert small == count(120)
    assert small[1] == 0  # anonymous, served from the cache


# ------------------------------------------------------------------------------------------------ adopted roadmap


def test_public_roadmap_page_is_the_same_for_every_reader(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0)
    priority = roadmap.priorities.get()
    ActionFactory(priority=priority, roadmap=roadmap, restricted=True, title="Action secrète")
    ActionFactory(priority=priority, roadmap=roadmap, title="Action publique")
    path = roadmap.get_public_url()
    # A member of the Clefop (who sees the restricted actions in the workspace) builds the fragment first.
    member_page = client_for("member").get(path).content.decode()
    anonymous_page = client_for("anonymous").get(path).content.decode()
    for page in (member_page, anonymous_page):
        assert "Action publique" in page and "Action secrète" not in page


def test_public_roadmap_page_shows_writes_at_once(client):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=1)
    path = roadmap.get_public_url()
    action = roadmap.actions.get()
    assert action.title in client.get(path).content.decode()  # cached
    Action.objects.filter(pk=action.pk).update(title="Titre changé", status=ActionStatus.DONE)
    PriorityFactory(roadmap=roadmap, order=2, title="Deuxième priorité")
    AnnualReview.objects.create(roadmap=roadmap, date="2025-01-15", summary="Bilan de mi-parcours")
    page = client.get(path).content.decode()
    assert "Titre changé" in page and "Priorité 2 : Deuxième priorité" in page
    assert "Bilan de mi-parcours" in page
    Roadmap.objects.filter(pk=roadmap.pk).update(status=RoadmapStatus.ARCHIVED, plenary_date=None)
    assert client.get(path).status_code == 404  # no longer public, at once


def test_public_roadmap_page_constant_queries(client):
    def count(n):
        roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=3, start_year=2020 + n % 7)
        add_actions(roadmap, n)
        path = roadmap.get_public_url()
        client.get(path)
        cache.clear()
        built, response = queries(client, path)
        assert response.content.decode().count('srefop-status"') >= n
        served, _ = queries(client, path)
        replaced, _ = queries(client, path + "?remplace=1")
        return built, served, replaced

    small = count(4)
    assert small == count(150)
    assert small[1] == 0 and small[2] == 1  # the « version remplacée » notice reads the version asked for


def test_public_roadmap_list_shows_an_adoption_at_once(client):
    path = reverse("roadmaps:public_list")
    draft = roadmap_with(status=RoadmapStatus.DRAFT, title="Feuille de route en préparation")
    assert "Feuille de route en préparation" not in client.get(path).content.decode()  # cached
    Roadmap.objects.filter(pk=draft.pk).update(status=RoadmapStatus.ADOPTED, plenary_date="2025-02-01")
    page = client.get(path).content.decode()
    assert "Feuille de route en préparation" in page and "01/02/2025" in page
    assert queries(client, path)[0] == 0  # anonymous, served from the cache


def test_recommendation_page_lists_public_actions_and_shows_writes_at_once(client_for):
    recommendation = RecommendationFactory(code="T-DET")
    path = reverse("roadmaps:recommendation_detail", args=["T-DET"])
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=0)
    priority = roadmap.priorities.get()
    for title, restricted in (("Action publique", False), ("Action secrète", True)):
        ActionFactory(priority=priority, roadmap=roadmap, title=title, restricted=restricted).recommendations.add(
            recommendation
        )
    for role in ("member", "anonymous"):  # a Clefop member builds it first: still only the public actions
        page = client_for(role).get(path).content.decode()
        assert "Action publique" in page and "Action secrète" not in page
    client = client_for("anonymous")
    Action.objects.filter(title="Action publique").update(title="Action renommée")
    Recommendation.objects.filter(pk=recommendation.pk).update(title="Intitulé revu")
    page = client.get(path).content.decode()
    assert "Action renommée" in page and "Intitulé revu" in page
    assert queries(client, path)[0] == 0
    assert client.get(reverse("roadmaps:recommendation_detail", args=["PAS-UN-CODE"])).status_code == 404
