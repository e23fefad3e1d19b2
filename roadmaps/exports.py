"""Tabular exports of roadmaps (a roadmap; open data of the adopted roadmaps). Formulas are neutralised by
srefop_portal.common.tabular when the file is written."""

from __future__ import annotations

from django.conf import settings

from .models import Action, Roadmap, public_labels

ROADMAP_HEADERS = [
    "clefop",
    "territoire",
    "departement",
    "periode",
    "version",
    "statut_feuille_de_route",
    "date_adoption",
    "priorite_ordre",
    "priorite",
    "action",
    "description",
    "objectifs",
    "publics",
    "pilote",
    "partenaires",
    "debut",
    "fin",
    "statut_action",
    "en_retard",
    "avancement_pct",
    "preconisations",
    "codes_rome",
    "divisions_naf",
    "budget_prevu",
    "budget_depense",
    "mise_a_jour",
]


def _action_queryset(actions):
    return (
        actions.select_related("priority", "pilot_organisation", "roadmap__body__territory__departement")
        .prefetch_related("recommendations", "rome_codes", "naf_divisions", "budget_lines")
        .order_by("roadmap__body__name", "priority__order", "order", "pk")
    )


def _row(action: Action) -> list:
    roadmap = action.roadmap
    body = roadmap.body
    territory = body.territory
    budget = list(action.budget_lines.all())
    return [
        body.name,
        territory.code if territory else "",
        territory.departement.code if territory else "",
        roadmap.period_label,
        roadmap.version,
        roadmap.get_status_display(),
        roadmap.plenary_date.isoformat() if roadmap.plenary_date else "",
        action.priority.order,
        action.priority.title,
        action.title,
        action.description,
        action.objectives,
        ", ".join(public_labels(action.target_publics)),
        action.pilot_organisation.name if action.pilot_organisation else "",
        action.partners,
        action.start_date.isoformat() if action.start_date else "",
        action.end_date.isoformat() if action.end_date else "",
        action.get_status_display(),
        "oui" if action.is_overdue else "non",
        action.progress,
        ", ".join(r.code for r in action.recommendations.all()),
        ", ".join(r.code for r in action.rome_codes.all()),
        ", ".join(d.code for d in action.naf_divisions.all()),
        float(sum(b.planned for b in budget)),
        float(sum(b.spent for b in budget)),
        action.updated_at.date().isoformat() if action.updated_at else "",
    ]


def roadmap_rows(roadmap: Roadmap, actions) -> tuple[list[str], list[list]]:
    return ROADMAP_HEADERS, [_row(a) for a in _action_queryset(actions.filter(roadmap=roadmap))]


def open_data_rows() -> tuple[list[str], list[list]]:
    actions = Action.objects.public()
    return ROADMAP_HEADERS, [_row(a) for a in _action_queryset(actions)]


def open_data_json() -> dict:
    roadmaps = (
        Roadmap.objects.published()
        .select_related("body__territory__departement")
        .prefetch_related("priorities")
        .order_by("body__name")
    )
    actions_by_roadmap: dict[int, list] = {}
    for action in _action_queryset(Action.objects.public()):
        budget = list(action.budget_lines.all())
        actions_by_roadmap.setdefault(action.roadmap_id, []).append(
            {
                "priorite": action.priority.order,
                "intitule": action.title,
                "description": action.description,
                "objectifs": action.objectives,
                "publics": public_labels(action.target_publics),
                "pilote": action.pilot_organisation.name if action.pilot_organisation else None,
                "partenaires": action.partners,
                "debut": action.start_date.isoformat() if action.start_date else None,
                "fin": action.end_date.isoformat() if action.end_date else None,
                "statut": action.get_status_display(),
                "en_retard": action.is_overdue,
                "avancement_pct": action.progress,
                "preconisations": [r.code for r in action.recommendations.all()],
                "codes_rome": [r.code for r in action.rome_codes.all()],
                "divisions_naf": [d.code for d in action.naf_divisions.all()],
                "budget_prevu": float(sum(b.planned for b in budget)),
                "budget_depense": float(sum(b.spent for b in budget)),
            }
        )
    return {
        "titre": "Feuilles de route adoptées des Clefop des Pays de la Loire",
        "licence": "Licence Ouverte / Open Licence 2.0",
        "source": f"{settings.SITE_URL}/donnees/",
        "feuilles_de_route": [
            {
                "clefop": r.body.name,
                "territoire": {"code": r.body.territory.code, "nom": r.body.territory.name}
                if r.body.territory
                else None,
                "departement": r.body.territory.departement.code if r.body.territory else None,
                "periode": r.period_label,
                "version": r.version,
                "date_adoption": r.plenary_date.isoformat() if r.plenary_date else None,
                "demonstration": r.is_demo,
                "url": f"{settings.SITE_URL}{r.get_public_url()}",
                "priorites": [{"ordre": p.order, "intitule": p.title} for p in r.priorities.all()],
                "actions": actions_by_roadmap.get(r.pk, []),
            }
            for r in roadmaps
        ],
    }
