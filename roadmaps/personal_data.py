"""What the roadmaps hold about a person (the ``personal_data`` hook: ``export(user) -> dict``, ``erase(user)``).

Everything here is a governance record of a Clefop and is kept when an account is closed: the author's row stays
(anonymised), so progress notes, actions, steps and the history show « ancien membre » instead of a name, and the
history still shows each change. Nothing here is purely personal: ``erase`` has nothing to delete.
"""

from __future__ import annotations

from .models import Action, ActionDocument, AnnualReview, Priority, ProgressNote, Roadmap, RoadmapTransition


def _date(value):
    return value.isoformat() if value else None


def _history(model, user, label) -> list[dict]:
    records = model.history.filter(history_user=user).order_by("history_date", "history_id")
    kinds = {"+": "création", "~": "modification", "-": "suppression"}
    return [
        {
            "objet": label,
            "intitule": str(getattr(r, "title", "")),
            "date": _date(r.history_date),
            "nature": kinds.get(r.history_type, r.history_type),
        }
        for r in records
    ]


def export(user) -> dict:
    return {
        "actions_pilotees": [
            {"action": a.title, "feuille_de_route": str(a.roadmap), "instance": a.roadmap.body.name}
            for a in Action.objects.filter(pilots=user).select_related("roadmap__body").order_by("pk")
        ],
        "actions_modifiees": [
            {"action": a.title, "feuille_de_route": str(a.roadmap), "modifiee_le": _date(a.updated_at)}
            for a in Action.objects.filter(updated_by=user).select_related("roadmap").order_by("pk")
        ],
        "points_de_suivi": [
            {
                "action": n.action.title,
                "date": _date(n.date),
                "statut": n.get_status_display(),
                "avancement": n.progress,
                "commentaire": n.comment,
            }
            for n in ProgressNote.objects.filter(author=user).select_related("action").order_by("pk")
        ],
        "etapes_des_feuilles_de_route": [
            {"feuille_de_route": str(t.roadmap), "etape": t.label, "commentaire": t.comment, "date": _date(t.at)}
            for t in RoadmapTransition.objects.filter(by=user).select_related("roadmap").order_by("pk")
        ],
        "feuilles_de_route_creees": [
            {"feuille_de_route": str(r), "creee_le": _date(r.created_at)}
            for r in Roadmap.objects.filter(created_by=user).order_by("pk")
        ],
        "points_d_etape_annuels": [
            {"feuille_de_route": str(r.roadmap), "date": _date(r.date)}
            for r in AnnualReview.objects.filter(created_by=user).select_related("roadmap").order_by("pk")
        ],
        "documents_d_action_deposes": [
            {
                "action": d.action.title,
                "document": d.title,
                "fichier": d.original_name,
                "depose_le": _date(d.uploaded_at),
            }
            for d in ActionDocument.objects.filter(uploaded_by=user).select_related("action").order_by("pk")
        ],
        "historique": [
            *_history(Roadmap, user, "feuille de route"),
            *_history(Priority, user, "priorité"),
            *_history(Action, user, "action"),
        ],
    }


def erase(user) -> None:
    """Governance records are kept; the authorship they carry is anonymised with the user row itself."""
