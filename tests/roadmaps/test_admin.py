"""The Django admin (technical administration) writes one history version per save, links included."""

import pytest
from django.urls import reverse

from roadmaps.models import Action
from tests.second_factor import sign_in

from .factories import RecommendationFactory, roadmap_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, role_user):
    staff = role_user("staff")
    staff.is_superuser = staff.is_staff = True
    staff.save()
    sign_in(client, staff)
    return client, staff


def action_form(action, **overrides):
    data = {
        "roadmap": action.roadmap_id,
        "priority": action.priority_id,
        "order": action.order,
        "version": action.version,
        "title": action.title,
        "description": action.description,
        "objectives": action.objectives,
        "partners": action.partners,
        "status": action.status,
        "progress": action.progress,
        "start_date": "",
        "end_date": "",
        "target_publics": list(action.target_publics or []),
        "recommendations": "",
        "dispositifs": [],
        "naf_divisions": "",
        "rome_codes": "",
        "pilots": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_change_with_links_writes_one_version(admin_client):
    client, staff = admin_client
    action = roadmap_with(actions=1).actions.get()
    first, second = RecommendationFactory(), RecommendationFactory()
    before = action.history.count()
    url = reverse("admin:roadmaps_action_change", args=[action.pk])
    response = client.post(
        url,
        action_form(action, title="Titre corrigé", progress=40, status="in_progress",
                    recommendations=f"{first.pk},{second.pk}"),
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert action.title == "Titre corrigé"
    assert set(action.recommendations.all()) == {first, second}
    versions = list(action.history.order_by("-history_date", "-history_id"))
    assert len(versions) == before + 1
    latest = versions[0]
    assert latest.history_type == "~" and latest.history_user == staff and latest.title == "Titre corrigé"
    assert set(latest.recommendations.values_list("recommendation_id", flat=True)) == {first.pk, second.pk}


def test_admin_add_writes_one_creation_version(admin_client):
    client, staff = admin_client
    roadmap = roadmap_with()
    priority = roadmap.priorities.get()
    recommendation = RecommendationFactory()
    template = Action(roadmap=roadmap, priority=priority, order=1, title="Nouvelle action", status="planned")
    response = client.post(
        reverse("admin:roadmaps_action_add"), action_form(template, recommendations=str(recommendation.pk))
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Nouvelle action")
    [version] = action.history.all()
    assert version.history_type == "+" and version.history_user == staff
    assert list(version.recommendations.values_list("recommendation_id", flat=True)) == [recommendation.pk]


def test_invalid_admin_form_writes_nothing(admin_client):
    client, _staff = admin_client
    action = roadmap_with(actions=1).actions.get()
    before = action.history.count()
    response = client.post(
        reverse("admin:roadmaps_action_change", args=[action.pk]), action_form(action, progress=250, title="")
    )
    assert response.status_code == 200
    assert action.history.count() == before


def test_admin_revert_to_a_version_writes_one_version(admin_client):
    client, staff = admin_client
    action = roadmap_with(actions=1).actions.get()
    old = action.history.latest()
    recommendation = RecommendationFactory()
    action.recommendations.add(recommendation)
    action.refresh_from_db()
    before = action.history.count()
    url = reverse("admin:roadmaps_action_simple_history", args=[action.pk, old.history_id])
    response = client.post(url, action_form(action, title=old.title, recommendations=""))
    assert response.status_code == 302
    assert action.history.count() == before + 1
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == staff and not latest.recommendations.exists()
    assert not action.recommendations.exists()
