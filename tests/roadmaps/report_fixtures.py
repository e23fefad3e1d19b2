"""Data for the progress-report tests: an adopted roadmap of Nantes with known actions, notes, indicators, review."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from clefop.models import Meeting, Position
from roadmaps import services
from roadmaps.models import ActionStatus, Assessment, Recommendation, ResultIndicator, RoadmapStatus
from roadmaps.reports import TERRITORY_KIND
from srefop_portal.common.models import Job
from tests.accounts.factories import UserFactory
from tests.clefop.factories import MembershipFactory, OrganisationFactory, clefop

from .factories import ActionFactory, PriorityFactory, RecommendationFactory, RoadmapFactory


def nantes_roadmap(status=RoadmapStatus.ADOPTED, territory="44-NAN"):
    body = clefop(territory)
    cochair = UserFactory(first_name="Claire", last_name="Préfète", email=f"sp-{territory.lower()}@exemple.fr")
    MembershipFactory(
        user=cochair,
        body=body,
        position=Position.COCHAIR,
        organisation=OrganisationFactory(name=f"Préfecture {territory}"),
        role_label="Sous-préfète",
    )
    roadmap = RoadmapFactory(
        body=body, status=status, title=f"Feuille de route {territory}", plenary_date=datetime.date(2024, 3, 1)
    )
    first = PriorityFactory(roadmap=roadmap, order=1, title="Recruter dans l'industrie")
    second = PriorityFactory(roadmap=roadmap, order=2, title="Lever les freins à la mobilité")
    job_dating = ActionFactory(
        priority=first, roadmap=roadmap, title="Job dating trimestriel", status=ActionStatus.IN_PROGRESS, progress=45
    )
    ActionFactory(
        priority=first,
        roadmap=roadmap,
        title="Guichet unique recrutement",
        status=ActionStatus.DONE,
        progress=100,
    )
    ActionFactory(
        priority=second,
        roadmap=roadmap,
        title="Plateforme de mobilité solidaire",
        status=ActionStatus.BLOCKED,
        progress=20,
        end_date=datetime.date(2025, 6, 30),
    )
    ActionFactory(
        priority=second, roadmap=roadmap, title="Action confidentielle", restricted=True, status=ActionStatus.PLANNED
    )
    ResultIndicator.objects.create(
        action=job_dating, label="Candidats reçus", unit="personnes", target=120, achieved=90
    )
    services.update_action_status(
        action=job_dating,
        status=ActionStatus.IN_PROGRESS,
        progress=45,
        user=cochair,
        comment="Deux sessions tenues : 90 candidats reçus",
        date=datetime.date(2025, 5, 2),
    )
    recommendation = Recommendation.objects.filter(code="T-RAPPORT").first() or RecommendationFactory(
        code="T-RAPPORT", title="Développer les formations industrielles"
    )
    job_dating.recommendations.add(recommendation)
    if status == RoadmapStatus.ADOPTED:
        services.record_annual_review(
            roadmap=roadmap,
            date=datetime.date(2025, 3, 12),
            user=cochair,
            summary="Première année de mise en œuvre.",
            decisions="Prolonger la plateforme de mobilité de six mois.",
            assessments=[
                services.AssessmentInput(priority=first, rating=Assessment.ON_TRACK, comment="Bonne dynamique."),
                services.AssessmentInput(priority=second, rating=Assessment.AT_RISK, comment="Financement à trouver."),
            ],
        )
    start = timezone.make_aware(datetime.datetime(2025, 2, 3, 14, 0))
    Meeting.objects.create(
        body=body, title="Plénière de printemps", start=start, end=start + datetime.timedelta(hours=2)
    )
    return roadmap


def done_report_job(territory="44-NAN", requester=None) -> Job:
    """A finished report job with a file (no rendering): for permission tests."""
    job = Job.objects.create(
        kind=TERRITORY_KIND,
        params={"body": clefop(territory).pk},
        requester=requester,
        status=Job.Status.DONE,
        progress=100,
        filename="rapport.pdf",
        content_type="application/pdf",
    )
    job.file.save("rapport.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return job
