"""Tabular exports of roadmaps (a roadmap; open data of the adopted roadmaps). Formulas are neutralised by
srefop_portal.common.tabular when the file is written.

The open-data CSV keeps its documented machine columns and format (dot decimal, ISO dates), described by the
Table Schema ``open_data_schema()`` published next to it; the roadmap export for members has French column labels
(the same in CSV and XLSX) and says which actions are « diffusion restreinte »."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

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


# The same columns for people (roadmap export), then the column only members see.
ROADMAP_LABELS = [
    "Clefop",
    "Territoire",
    "Département",
    "Période",
    "Version",
    "Statut de la feuille de route",
    "Date d’adoption",
    "N° de priorité",
    "Priorité",
    "Action",
    "Description",
    "Objectifs",
    "Publics",
    "Pilote",
    "Partenaires",
    "Début",
    "Fin",
    "Statut de l’action",
    "En retard",
    "Avancement (%)",
    "Préconisations",
    "Codes ROME",
    "Divisions NAF",
    "Budget prévu (€)",
    "Budget dépensé (€)",
    "Mise à jour",
]
RESTRICTED_LABEL = "Diffusion restreinte"

# Table Schema (https://specs.frictionlessdata.io/table-schema/) of the open-data CSV, field by field.
OPEN_DATA_TYPES = {
    "version": "integer",
    "date_adoption": "date",
    "priorite_ordre": "integer",
    "debut": "date",
    "fin": "date",
    "avancement_pct": "integer",
    "budget_prevu": "number",
    "budget_depense": "number",
    "mise_a_jour": "date",
}
OPEN_DATA_DESCRIPTIONS = {
    "clefop": "Nom du Clefop",
    "territoire": "Code du territoire EFOP (ex. 44-NAN)",
    "departement": "Code INSEE du département",
    "periode": "Période de la feuille de route (ex. 2024-2028)",
    "version": "Version de la feuille de route",
    "statut_feuille_de_route": "Statut de la feuille de route",
    "date_adoption": "Date d’adoption en plénière",
    "priorite_ordre": "Numéro de la priorité",
    "priorite": "Intitulé de la priorité",
    "action": "Intitulé de l’action",
    "description": "Description de l’action",
    "objectifs": "Objectifs de l’action",
    "publics": "Publics cibles, séparés par des virgules",
    "pilote": "Structure pilote",
    "partenaires": "Partenaires",
    "debut": "Date de début",
    "fin": "Date de fin",
    "statut_action": "Statut de l’action",
    "en_retard": "« oui » si l’action est en retard, sinon « non »",
    "avancement_pct": "Avancement en pourcentage (0 à 100)",
    "preconisations": "Codes des préconisations, séparés par des virgules",
    "codes_rome": "Codes ROME, séparés par des virgules",
    "divisions_naf": "Divisions NAF, séparées par des virgules",
    "budget_prevu": "Budget prévu en euros (point décimal)",
    "budget_depense": "Budget dépensé en euros (point décimal)",
    "mise_a_jour": "Date de la dernière mise à jour de l’action",
}


def open_data_schema() -> dict:
    fields = []
    for name in ROADMAP_HEADERS:
        field = {"name": name, "type": OPEN_DATA_TYPES.get(name, "string"), "description": OPEN_DATA_DESCRIPTIONS[name]}
        if name == "avancement_pct":
            field["constraints"] = {"minimum": 0, "maximum": 100}
        if name == "en_retard":
            field["constraints"] = {"enum": ["oui", "non"]}
        if name in ("clefop", "action"):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {
        "fields": fields,
        "missingValues": [""],
        "dialect": {"delimiter": ";", "lineTerminator": "\r\n", "header": True},
        "encoding": "utf-8-sig",
        "decimalChar": ".",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}],
    }


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
        roadmap.plenary_date,
        action.priority.order,
        action.priority.title,
        action.title,
        action.description,
        action.objectives,
        ", ".join(public_labels(action.target_publics)),
        action.pilot_organisation.name if action.pilot_organisation else "",
        action.partners,
        action.start_date,
        action.end_date,
        action.get_status_display(),
        "oui" if action.is_overdue else "non",
        action.progress,
        ", ".join(r.code for r in action.recommendations.all()),
        ", ".join(r.code for r in action.rome_codes.all()),
        ", ".join(d.code for d in action.naf_divisions.all()),
        sum((b.planned for b in budget), Decimal(0)),
        sum((b.spent for b in budget), Decimal(0)),
        timezone.localdate(action.updated_at) if action.updated_at else None,
    ]


def roadmap_rows(roadmap: Roadmap, actions) -> tuple[list[str], list[list]]:
    """The export of one roadmap for the people who read it: French labels and the « diffusion restreinte »
    column (restricted actions are in it only for those allowed to read them)."""
    rows = [[*_row(a), "oui" if a.restricted else "non"] for a in _action_queryset(actions.filter(roadmap=roadmap))]
    return [*ROADMAP_LABELS, RESTRICTED_LABEL], rows


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
