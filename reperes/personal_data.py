"""What the repères hold about a person (the ``personal_data`` hook): the imports they made or rolled back.
Kept on closure (the trace of the published figures), shown as made by « ancien membre »."""

from __future__ import annotations

from django.db.models import Q

from .models import ImportBatch


def export(user) -> dict:
    batches = ImportBatch.objects.filter(Q(created_by=user) | Q(rolled_back_by=user)).order_by("pk")
    return {
        "imports_de_reperes": [
            {
                "fichier": b.filename,
                "depose_le": b.created_at.isoformat(),
                "statut": b.get_status_display(),
                "depose_par_vous": b.created_by_id == user.pk,
                "annule_par_vous": b.rolled_back_by_id == user.pk,
            }
            for b in batches
        ]
    }


def erase(user) -> None:
    """Import traces are kept; their author is the anonymised user row."""
