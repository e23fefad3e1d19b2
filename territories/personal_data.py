"""What the territories app holds about a person (the ``personal_data`` hook): composition changes they made.
Kept on closure (the history of a territory's composition), shown as made by « ancien membre »."""

from __future__ import annotations

from .models import CompositionChange, CompositionStatus


def export(user) -> dict:
    return {
        "modifications_de_composition": [
            {
                "commune": c.commune.name,
                "nature": c.get_kind_display(),
                "motif": c.reason,
                "date": c.changed_at.isoformat(),
            }
            for c in CompositionChange.objects.filter(changed_by=user).select_related("commune").order_by("pk")
        ],
        "compositions_validees": [str(s) for s in CompositionStatus.objects.filter(updated_by=user).order_by("pk")],
    }


def erase(user) -> None:
    """Composition changes are kept; their author is the anonymised user row."""
