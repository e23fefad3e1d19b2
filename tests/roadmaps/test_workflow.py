import datetime

import pytest
from django.core import mail
from django.urls import reverse

from roadmaps import services
from roadmaps.models import Action, Priority, Roadmap, RoadmapStatus, RoadmapTransition
from srefop_portal.common.models import Notice
from tests.clefop.factories import clefop

from .factories import ActionFactory, roadmap_with

pytestmark = pytest.mark.django_db


def url(name, roadmap, *args):
    return reverse(f"roadmaps:{name}", args=[roadmap.body.slug, roadmap.pk, *args])


def test_member_builds_animateur_submits_cochair_adopts_public_sees(
    client_for, role_user, django_capture_on_commit_callbacks
):
    animateur_client = client_for("animateur")
    cochair = role_user("cochair")
    member_client = client_for("member")
    response = animateur_client.post(
        reverse("roadmaps:roadmap_create", args=[clefop().slug]),
        {"title": "Feuille de route Nantes", "start_year": 2024, "end_year": 2026, "summary": ""},
    )
    assert response.status_code == 302
    roadmap = Roadmap.objects.get(body=clefop(), start_year=2024)
    assert roadmap.status == RoadmapStatus.DRAFT

    response = member_client.post(url("priority_create", roadmap), {"title": "Recrutement", "description": ""})
    assert response.status_code == 302
    priority = roadmap.priorities.get()
    response = member_client.post(
        url("action_create", roadmap),
        {"priority": priority.pk, "title": "Job dating", "status": "planned", "progress": 0, "rome_codes": "F1603"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = roadmap.actions.get()
    assert [r.code for r in action.rome_codes.all()] == ["F1603"]

    # A member cannot submit; the animateur can.
    assert member_client.post(url("roadmap_transition", roadmap, "submit"), {}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = animateur_client.post(url("roadmap_transition", roadmap, "submit"), {"comment": "Prête"})
    assert response.status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.SUBMITTED
    assert Notice.objects.filter(user=cochair).exists()
    assert any(cochair.email in m.to for m in mail.outbox)

    # The public does not see it before adoption.
    anonymous = client_for("anonymous")
    assert anonymous.get(reverse("roadmaps:public_detail", args=[roadmap.pk])).status_code == 404

    # Adoption needs the plenary date; the animateur cannot adopt.
    assert animateur_client.post(url("roadmap_transition", roadmap, "adopt"), {}).status_code == 404
    cochair_client = client_for("cochair")
    response = cochair_client.post(url("roadmap_transition", roadmap, "adopt"), {"comment": ""})
    assert response.status_code == 400
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.SUBMITTED
    response = cochair_client.post(url("roadmap_transition", roadmap, "adopt"), {"plenary_date": "2024-03-15"})
    assert response.status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ADOPTED and roadmap.plenary_date == datetime.date(2024, 3, 15)
    transition = roadmap.transitions.first()
    assert transition.by == cochair and transition.label == "Adoptée"

    page = anonymous.get(reverse("roadmaps:public_detail", args=[roadmap.pk]))
    assert page.status_code == 200 and "Job dating" in page.content.decode()
    assert "Feuille de route Nantes" in anonymous.get(reverse("roadmaps:public_list")).content.decode()


def test_observer_and_overseers_cannot_edit(client_for):
    roadmap = roadmap_with(actions=1)
    for role in ("observer", "cdefop", "crefop", "other_member"):
        client = client_for(role)
        response = client.post(url("priority_create", roadmap), {"title": "Non"})
        assert response.status_code == 404, role
    assert roadmap.priorities.count() == 1


def test_fourth_priority_refused_by_form_and_service(client_for, role_user):
    roadmap = roadmap_with(priorities=3)
    response = client_for("member").post(url("priority_create", roadmap), {"title": "Quatrième"})
    assert response.status_code == 400
    assert "au plus 3 priorités" in response.content.decode()
    with pytest.raises(services.RoadmapError, match="au plus 3 priorités"):
        services.add_priority(roadmap=roadmap, title="Quatrième", user=role_user("member"))
    assert roadmap.priorities.count() == 3


def test_revision_keeps_adopted_version_published(role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2, actions=4)
    animateur, cochair = role_user("animateur"), role_user("cochair")
    revision = services.revise_roadmap(roadmap=roadmap, user=animateur)
    assert revision.version == 2 and revision.status == RoadmapStatus.DRAFT
    assert revision.priorities.count() == 2 and revision.actions.count() == 4
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ADOPTED
    assert list(Roadmap.objects.published().filter(body=roadmap.body)) == [roadmap]
    with pytest.raises(services.RoadmapError, match="déjà en cours"):
        services.revise_roadmap(roadmap=roadmap, user=animateur)
    # Editing the revision leaves the published version untouched.
    services.add_priority(roadmap=revision, title="Nouvelle", user=animateur)
    assert roadmap.priorities.count() == 2
    services.transition_roadmap(roadmap=revision, transition="submit", user=animateur)
    services.transition_roadmap(
        roadmap=revision, transition="adopt", user=cochair, plenary_date=datetime.date(2025, 1, 10)
    )
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ARCHIVED
    assert list(Roadmap.objects.published().filter(body=roadmap.body)) == [revision]


def test_wrong_transitions_are_refused_with_a_french_message(role_user):
    roadmap = roadmap_with(priorities=0)
    animateur = role_user("animateur")
    with pytest.raises(services.RoadmapError, match="au moins une priorité"):
        services.transition_roadmap(roadmap=roadmap, transition="submit", user=animateur)
    with pytest.raises(services.RoadmapError, match="n’est pas possible"):
        services.transition_roadmap(
            roadmap=roadmap, transition="adopt", user=animateur, plenary_date=datetime.date(2024, 1, 1)
        )
    assert RoadmapTransition.objects.filter(roadmap=roadmap).count() == 0


def test_structure_frozen_outside_draft_but_follow_up_allowed(role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, actions=1)
    member = role_user("member")
    with pytest.raises(services.RoadmapError, match="brouillon"):
        services.add_priority(roadmap=roadmap, title="x", user=member)
    action = roadmap.actions.get()
    services.update_action_status(action=action, status="done", progress=40, user=member, comment="fini")
    action.refresh_from_db()
    assert action.status == "done" and action.progress == 100 and action.notes.count() == 1


def test_duplicate_period_refused(role_user):
    roadmap_with()
    with pytest.raises(services.RoadmapError, match="existe déjà"):
        services.create_roadmap(body=clefop(), title="x", start_year=2024, end_year=2026, user=role_user("animateur"))


def test_delete_priority_with_actions_refused(role_user):
    roadmap = roadmap_with(actions=1)
    with pytest.raises(services.RoadmapError, match="porte des actions"):
        services.delete_priority(priority=Priority.objects.get(roadmap=roadmap), user=role_user("member"))


def test_annual_review_with_assessments(client_for):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2)
    p1, p2 = roadmap.priorities.order_by("order")
    response = client_for("animateur").post(
        url("review_create", roadmap),
        {
            "date": "2025-03-01",
            "summary": "Bilan",
            "attendance": "Tous",
            "decisions": "Continuer",
            f"rating_{p1.pk}": "on_track",
            f"comment_{p1.pk}": "",
            f"rating_{p2.pk}": "late",
            f"comment_{p2.pk}": "x",
        },
    )
    assert response.status_code == 302
    review = roadmap.reviews.get()
    assert {a.priority_id: a.rating for a in review.assessments.all()} == {p1.pk: "on_track", p2.pk: "late"}
    assert client_for("member").get(response["Location"]).status_code == 200
    assert client_for("member").post(url("review_create", roadmap), {}).status_code == 404


def test_overdue_computed(role_user):
    action = ActionFactory(end_date=datetime.date(2020, 1, 1), status="in_progress")
    done = ActionFactory(
        end_date=datetime.date(2020, 1, 1), status="done", priority=action.priority, roadmap=action.roadmap
    )
    assert action.is_overdue and not done.is_overdue
    assert list(Action.objects.overdue()) == [action]
