"""A roadmap's history is one line: a revision keeps the annual reviews (and their assessments) of the versions it
replaces, and the public address of a superseded adopted version leads (301) to the version in force."""

import datetime

import pytest
from django.urls import reverse

from roadmaps import services
from roadmaps.models import Assessment, RoadmapStatus
from roadmaps.reports.data import collect
from tests.roadmaps.factories import roadmap_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted_with_reviews(role_user):
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2, actions=2)
    cochair = role_user("cochair")
    first, second = roadmap.priorities.order_by("order")
    for year, rating in ((2025, Assessment.ON_TRACK), (2026, Assessment.LATE)):
        services.record_annual_review(
            roadmap=roadmap,
            date=datetime.date(year, 1, 15),
            summary=f"Synthèse {year}",
            user=cochair,
            assessments=[services.AssessmentInput(priority=first, rating=rating, comment=f"Priorité 1 en {year}")],
        )
    return roadmap


def test_a_revision_keeps_the_reviews_in_its_page_and_its_report(adopted_with_reviews, role_user, client_for):
    roadmap = adopted_with_reviews
    revision = services.revise_roadmap(roadmap=roadmap, user=role_user("animateur"))
    member = client_for("cochair")
    page = member.get(revision.get_absolute_url()).content.decode()
    assert "Synthèse 2025" in page and "Synthèse 2026" in page
    # The report of the body follows the adopted version until the revision is adopted; then the revision's.
    services.transition_roadmap(roadmap=revision, transition="submit", user=role_user("animateur"))
    services.transition_roadmap(
        roadmap=revision, transition="adopt", user=role_user("cochair"), plenary_date=datetime.date(2026, 2, 1)
    )
    data = collect(revision.body)
    assert data["roadmap"]["id"] == revision.pk
    assert data["review"] is not None and data["review"]["summary"] == "Synthèse 2026"
    assert data["review"]["assessments"][0]["rating"] == "En retard"
    review = roadmap.reviews.get(date__year=2025)
    detail = member.get(
        reverse("roadmaps:review_detail", args=[revision.body.slug, revision.pk, review.pk])
    ).content.decode()
    assert "Priorité 1 en 2025" in detail
    public = client_for("anonymous").get(revision.get_public_url()).content.decode()
    assert "Dernier point d’étape (15/01/2026)" in public


def test_the_public_address_of_a_superseded_version_redirects_to_the_current_one(
    adopted_with_reviews, role_user, client_for
):
    roadmap = adopted_with_reviews
    anonymous = client_for("anonymous")
    assert anonymous.get(roadmap.get_public_url()).status_code == 200
    revision = services.revise_roadmap(roadmap=roadmap, user=role_user("animateur"))
    assert anonymous.get(roadmap.get_public_url()).status_code == 200  # v1 stays in force while v2 is a draft
    services.transition_roadmap(roadmap=revision, transition="submit", user=role_user("animateur"))
    services.transition_roadmap(
        roadmap=revision, transition="adopt", user=role_user("cochair"), plenary_date=datetime.date(2026, 2, 1)
    )
    response = anonymous.get(roadmap.get_public_url())
    assert response.status_code == 301
    assert response["Location"] == f"{revision.get_public_url()}?remplace={roadmap.pk}"
    page = anonymous.get(response["Location"]).content.decode()
    assert "La version 1 de cette feuille de route, que vous cherchiez, a été remplacée par la version 2" in page
    assert "1er février 2026" in page
    # A roadmap archived without a newer adopted version is gone, and a forged parameter shows no notice.
    assert anonymous.get(f"{revision.get_public_url()}?remplace=999999").content.decode().count("remplacée") == 0
    services.transition_roadmap(roadmap=revision, transition="archive", user=role_user("cochair"))
    assert anonymous.get(revision.get_public_url()).status_code == 404
