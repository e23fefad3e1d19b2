"""Demonstration data: the EXAMPLE préconisations (through the importer) and a roadmap 2024-2026 per Clefop.

Everything is labelled démonstration (Roadmap.is_demo, Action.is_demo, Recommendation.is_example).
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from clefop.models import EDITING_POSITIONS, Body, BodyKind, Membership, Position
from srefop_portal.common import notifications

from . import services
from .importers import apply_recommendations, validate_recommendations
from .models import (
    Action,
    ActionStatus,
    AmbitionSheet,
    Assessment,
    BudgetLine,
    Challenge,
    Recommendation,
    ResultIndicator,
    Roadmap,
    RoadmapStatus,
    SubAction,
    TargetPublic,
)

EXAMPLE_FILE = Path(__file__).resolve().parent / "data" / "preconisations-exemple.csv"

PRIORITIES = [
    {
        "title": "Répondre aux besoins de recrutement des entreprises du territoire",
        "challenges": ["E3"],
        "sheets": ["F1.2", "F3.2"],
        "actions": [
            (
                "Organiser un job dating trimestriel avec les entreprises en tension",
                [TargetPublic.JOBSEEKERS, TargetPublic.COMPANIES],
                "43",
            ),
            (
                "Mettre en place des préparations opérationnelles à l'emploi collectives (POEC)",
                [TargetPublic.JOBSEEKERS],
                "25",
            ),
            ("Créer un guichet unique recrutement pour les TPE-PME", [TargetPublic.COMPANIES], "47"),
            ("Développer les immersions professionnelles en entreprise", [TargetPublic.YOUTH, TargetPublic.RSA], "56"),
        ],
    },
    {
        "title": "Accompagner la transition écologique des compétences",
        "challenges": ["E1", "E4"],
        "sheets": ["F2.1"],
        "actions": [
            ("Recenser les besoins en compétences de la rénovation énergétique", [TargetPublic.COMPANIES], "43"),
            ("Ouvrir une formation qualifiante aux métiers de l'isolation", [TargetPublic.JOBSEEKERS], "43"),
            ("Sensibiliser les formateurs aux compétences vertes", [TargetPublic.PROFESSIONALS], "85"),
            ("Accompagner les exploitations agricoles vers l'agroécologie", [TargetPublic.EMPLOYEES], "01"),
        ],
    },
    {
        "title": "Lever les freins à l'emploi : mobilité, logement, garde d'enfants",
        "challenges": ["E3"],
        "sheets": ["F3.1"],
        "actions": [
            ("Déployer une plateforme de mobilité solidaire", [TargetPublic.RSA, TargetPublic.YOUTH], "49"),
            ("Proposer des logements temporaires aux alternants", [TargetPublic.YOUTH], "55"),
            ("Ouvrir des places de crèche à vocation d'insertion professionnelle", [TargetPublic.WOMEN], "88"),
        ],
    },
    {
        "title": "Maintenir en emploi les seniors et transmettre les savoir-faire",
        "challenges": ["E2"],
        "sheets": ["F4.2", "F4.1"],
        "actions": [
            ("Former des tuteurs seniors dans l'industrie", [TargetPublic.SENIORS, TargetPublic.EMPLOYEES], "28"),
            ("Prévenir l'usure professionnelle dans l'aide à domicile", [TargetPublic.EMPLOYEES], "88"),
            ("Accompagner les reconversions des salariés de plus de 50 ans", [TargetPublic.SENIORS], "86"),
        ],
    },
    {
        "title": "Faire découvrir les métiers aux jeunes et à leurs familles",
        "challenges": ["E4"],
        "sheets": ["F5.1", "F5.2"],
        "actions": [
            ("Organiser une semaine de l'industrie avec les collèges", [TargetPublic.PUPILS], "28"),
            ("Promouvoir la mixité des métiers du soin et du bâtiment", [TargetPublic.YOUTH, TargetPublic.WOMEN], "86"),
            ("Créer un forum des métiers et de l'apprentissage", [TargetPublic.YOUTH, TargetPublic.PUPILS], "85"),
        ],
    },
]
FUNDERS = ["Région Pays de la Loire", "État (DDETS)", "France Travail", "OPCO", "Conseil départemental"]
# The annual reviews of a demo roadmap (in March of each year, once that date has passed): year, attendance, summary,
# decisions, and the ratings the priorities take in turn.
ANNUAL_REVIEWS = [
    (
        2025,
        "Co-présidents, animatrice, représentants de France Travail, de la Mission locale, de la Région et des "
        "chambres consulaires.",
        "Première année de mise en œuvre : la plupart des actions sont engagées ; deux actions ont pris du retard "
        "faute de financement confirmé.",
        "Prolonger les actions en retard de six mois ; solliciter l'OPCO pour le cofinancement.",
        [Assessment.ON_TRACK, Assessment.LATE, Assessment.AT_RISK],
    ),
    (
        2026,
        "Co-présidents, animatrice, représentants de France Travail, de la Mission locale, de la Région, de "
        "l'Éducation nationale et des OPCO.",
        "Deuxième année : la plupart des actions sont menées à leur terme ; les actions encore en cours ont été "
        "prolongées jusqu'à la fin de la feuille de route.",
        "Préparer le bilan de la feuille de route 2024-2026 et le diagnostic de la suivante pour la prochaine "
        "plénière.",
        [Assessment.ON_TRACK, Assessment.ON_TRACK, Assessment.LATE],
    ),
]
STATUS_CYCLE = [
    ActionStatus.IN_PROGRESS,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.PLANNED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.PAUSED,
    ActionStatus.BLOCKED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.ABANDONED,
]


def _quiet():
    """No e-mails while loading the demonstration (notices in the portal are still created)."""
    return notifications.mail_suspended()


def load_example_recommendations() -> dict:
    result = validate_recommendations(EXAMPLE_FILE.read_bytes(), EXAMPLE_FILE.name)
    if not result.is_valid:
        raise RuntimeError("Le fichier d'exemple des préconisations est invalide : " + str(result.errors[:3]))
    return apply_recommendations(result, is_example=True)


def _seats(body: Body):
    memberships = list(
        Membership.objects.active().filter(body=body).select_related("user", "organisation").order_by("pk")
    )
    by_position = {}
    for membership in memberships:
        by_position.setdefault(membership.position, []).append(membership)
    editors = [m for m in memberships if m.position in EDITING_POSITIONS]
    return by_position, editors


def _actor(by_position, position, fallback=None):
    members = by_position.get(position) or []
    return members[0].user if members else fallback


def _build_roadmap(body: Body, index: int, today: datetime.date) -> Roadmap:
    rng = random.Random(f"roadmap-{body.slug}")  # noqa: S311 (demonstration data)
    by_position, editors = _seats(body)
    animateur = _actor(by_position, Position.ANIMATEUR)
    cochair = _actor(by_position, Position.COCHAIR, animateur)
    territory = body.territory
    roadmap = services.create_roadmap(
        body=body,
        title=f"Feuille de route du {body.name}",
        start_year=2024,
        end_year=2026,
        user=animateur,
        summary=f"Feuille de route de démonstration du territoire {territory.name} : trois priorités au plus, "
        "issues du diagnostic partagé emploi-formation et des préconisations du Srefop.",
    )
    Roadmap.objects.filter(pk=roadmap.pk).update(is_demo=True)
    roadmap.is_demo = True
    challenges = {c.code: c for c in Challenge.objects.all()}
    sheets = {s.code: s for s in AmbitionSheet.objects.all()}
    recommendations = list(Recommendation.objects.filter(is_example=True).filter(territories__isnull=True)) + list(
        Recommendation.objects.filter(is_example=True, territories=territory)
    )
    chosen = rng.sample(PRIORITIES, 2 + index % 2)
    action_number = 0
    for spec in chosen:
        priority = services.add_priority(
            roadmap=roadmap,
            title=spec["title"],
            user=animateur,
            description="Priorité retenue lors de la plénière de lancement (démonstration).",
            challenges=[challenges[c] for c in spec["challenges"] if c in challenges],
            sheets=[sheets[s] for s in spec["sheets"] if s in sheets],
        )
        for title, publics, division in spec["actions"]:
            status = STATUS_CYCLE[(action_number + index) % len(STATUS_CYCLE)]
            start = datetime.date(2024, 1 + (action_number * 2) % 12, 1)
            end = start + datetime.timedelta(days=rng.choice([240, 400, 540, 700]))
            status = _status_at(status, end, today, late=(action_number + index) % 4 == 0)
            progress = {ActionStatus.DONE: 100, ActionStatus.PLANNED: 0}.get(status, rng.choice([15, 30, 45, 60, 75]))
            pilot_membership = editors[action_number % len(editors)] if editors else None
            related = [r for r in recommendations if r.sheet.code in spec["sheets"]][:2]
            from .models import NafDivision

            action = services.create_action(
                roadmap=roadmap,
                user=animateur,
                data={
                    "priority": priority,
                    "title": title,
                    "description": f"{title} sur le territoire {territory.name}, avec les acteurs de l'emploi, de la "
                    "formation et de l'orientation (action de démonstration).",
                    "objectives": "Toucher les publics visés, mobiliser les entreprises, mesurer les sorties vers "
                    "l'emploi ou la formation.",
                    "target_publics": [str(p) for p in publics],
                    "pilot_organisation": pilot_membership.organisation if pilot_membership else None,
                    "partners": "France Travail, Mission locale, Région, OPCO, chambres consulaires",
                    "start_date": start,
                    "end_date": end,
                    "status": ActionStatus.PLANNED,
                    "progress": 0,
                    "restricted": action_number % 7 == 6,
                    "pilots": [pilot_membership.user] if pilot_membership else [],
                    "recommendations": related,
                    "naf_divisions": list(NafDivision.objects.filter(code=division)),
                },
            )
            SubAction.objects.bulk_create(
                [
                    SubAction(
                        action=action, title="Réunir le groupe projet", done=status != ActionStatus.PLANNED, order=1
                    ),
                    SubAction(
                        action=action, title="Bilan avec les partenaires", done=status == ActionStatus.DONE, order=2
                    ),
                ]
            )
            BudgetLine.objects.create(
                action=action,
                year=2025,
                planned=rng.choice([5000, 12000, 25000, 40000]),
                spent=rng.choice([0, 2500, 8000]),
                funder=rng.choice(FUNDERS),
            )
            ResultIndicator.objects.create(
                action=action,
                label="Personnes accompagnées",
                unit="personnes",
                target=rng.choice([20, 50, 120]),
                achieved=rng.choice([0, 12, 35, 80]),
            )
            if status != ActionStatus.PLANNED:
                author = pilot_membership.user if pilot_membership else animateur
                services.update_action_status(
                    action=action,
                    status=ActionStatus.IN_PROGRESS,
                    progress=max(5, progress // 2),
                    user=author,
                    comment="Lancement de l'action avec les partenaires.",
                    date=start + datetime.timedelta(days=30),
                )
                services.update_action_status(
                    action=action,
                    status=status,
                    progress=progress,
                    user=author,
                    comment="Action menée à son terme, bilan partagé avec les partenaires."
                    if status == ActionStatus.DONE
                    else "Point de suivi trimestriel.",
                    date=min(today, end if status == ActionStatus.DONE else start + datetime.timedelta(days=120)),
                )
            action_number += 1
    services.transition_roadmap(
        roadmap=roadmap, transition="submit", user=animateur, comment="Feuille de route prête pour la plénière."
    )
    services.transition_roadmap(
        roadmap=roadmap,
        transition="adopt",
        user=cochair,
        comment="Adoptée à l'unanimité (démonstration).",
        plenary_date=datetime.date(2024, 3, 10 + index % 15),
    )
    roadmap.refresh_from_db()
    _date_transitions(roadmap)
    priorities = list(roadmap.priorities.all())
    for year, attendance, summary, decisions, ratings in ANNUAL_REVIEWS:
        date = datetime.date(year, 3, 12 + index % 10)
        if date > today:
            break
        services.record_annual_review(
            roadmap=roadmap,
            date=date,
            user=animateur,
            attendance=attendance,
            summary=summary,
            decisions=decisions,
            assessments=[
                services.AssessmentInput(
                    priority=p, rating=ratings[(p.order + index) % 3], comment="Appréciation partagée en plénière."
                )
                for p in priorities
            ],
        )
    return roadmap


def _date_transitions(roadmap: Roadmap) -> None:
    """The steps of a demo roadmap dated as they would have happened (drafted two months before the plenary,
    submitted two weeks before, adopted on the day), not at the minute the demo was loaded."""
    plenary = roadmap.plenary_date
    moments = {
        RoadmapStatus.DRAFT: (plenary - datetime.timedelta(days=60), datetime.time(9, 30)),
        RoadmapStatus.SUBMITTED: (plenary - datetime.timedelta(days=14), datetime.time(17, 0)),
        RoadmapStatus.ADOPTED: (plenary, datetime.time(11, 45)),
    }
    for step in roadmap.transitions.all():
        if step.to_status in moments:
            day, hour = moments[step.to_status]
            step.at = timezone.make_aware(datetime.datetime.combine(day, hour))
            step.save(update_fields=["at"])


def _status_at(status: str, end: datetime.date, today: datetime.date, *, late: bool) -> str:
    """The demo status of an action on ``today``: past its deadline, an action planned or under way has mostly been
    carried out (one in four is still under way, late), so the demo tells the story of a roadmap in its last
    months rather than of one where everything is overdue. Paused, blocked and abandoned actions stay as they are."""
    if end < today and status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
        return ActionStatus.IN_PROGRESS if late else ActionStatus.DONE
    return status


@transaction.atomic
def load_demo():
    today = timezone.localdate()
    with _quiet():
        counts = load_example_recommendations()
        clefops = list(Body.objects.filter(kind=BodyKind.CLEFOP).select_related("territory").order_by("slug"))
        created = 0
        revisions = 0
        for index, body in enumerate(clefops):
            if Roadmap.objects.filter(body=body, start_year=2024, end_year=2026).exists():
                continue
            roadmap = _build_roadmap(body, index, today)
            created += 1
            # A few revisions under way: the adopted version stays published.
            if index % 6 == 1 or index % 6 == 4:
                by_position, _editors = _seats(body)
                animateur = _actor(by_position, Position.ANIMATEUR)
                revision = services.revise_roadmap(
                    roadmap=roadmap, user=animateur, comment="Révision après le point d'étape (démonstration)."
                )
                revisions += 1
                if index % 6 == 4:
                    services.transition_roadmap(
                        roadmap=revision,
                        transition="submit",
                        user=animateur,
                        comment="Révision soumise aux co-présidents.",
                    )
    _link_demo_dispositifs()
    return {
        "message": (
            f"Feuilles de route : {created} feuille(s) de route 2024-2026 de démonstration adoptée(s), {revisions} "
            f"révision(s) en cours ; préconisations d'EXEMPLE : {counts['created']} créée(s), "
            f"{counts['updated']} mise(s) à jour."
        ),
        "accounts": [],
    }


# Demo actions whose title mentions a word → demo dispositifs of the offre de services they mobilise.
DEMO_DISPOSITIF_LINKS = {
    "mobilité": ["Chèque mobilité formation", "Aide à la mobilité — France Travail"],
    "apprentissage": ["Prépa apprentissage", "Plan de relance régional — Aide à l'embauche d'apprentis"],
    "recrutement": [
        "Méthode de recrutement par simulation (MRS)",
        "Préparation opérationnelle à l'emploi individuelle (POEI)",
    ],
    "immersions": ["Immersion professionnelle (PMSMP)"],
    "logements": ["Logement jeunes actifs — Nantes"],
    "plus de 50 ans": ["Emploi des seniors — accompagnement renforcé", "Transitions collectives (Transco)"],
    "mixité": ["Égalité professionnelle — mixité des métiers"],
}


def _link_demo_dispositifs() -> None:
    """Name a few demo dispositifs in the demo actions (idempotent: adds links, never removes)."""
    from offer.models import Dispositif

    dispositifs = {d.name: d for d in Dispositif.objects.filter(is_demo=True)}
    if not dispositifs:
        return
    for action in Action.objects.filter(is_demo=True).prefetch_related("dispositifs"):
        title = action.title.lower()
        names = [n for word, group in DEMO_DISPOSITIF_LINKS.items() if word in title for n in group]
        linked = {d.pk for d in action.dispositifs.all()}
        chosen = {dispositifs[n] for n in names if n in dispositifs and dispositifs[n].pk not in linked}
        if chosen:  # each addition is a version of the action in its history
            action.dispositifs.add(*chosen)


__all__ = ["load_demo", "RoadmapStatus"]
