"""What the veille holds about a person (the ``personal_data`` hook): their subscription, deleted on closure, and
the tagging corrections they made, kept (the tagging learns from them), shown as made by « ancien membre »."""

from __future__ import annotations

from .models import Subscription, TagCorrection


def _corrections(user) -> list[dict]:
    return [
        {
            "terme": c.term,
            "territoire": c.territory.name,
            "correction": c.get_kind_display(),
            "motif": c.note,
            "creee_le": c.created_at.isoformat(),
        }
        for c in TagCorrection.objects.filter(author=user).select_related("territory").order_by("pk")
    ]


def export(user) -> dict:
    subscription = Subscription.objects.filter(user=user).prefetch_related("territories", "themes").first()
    corrections = _corrections(user)
    if subscription is None:
        return {"abonnement": None, "corrections_d_etiquetage": corrections}
    return {
        "corrections_d_etiquetage": corrections,
        "abonnement": {
            "frequence": subscription.get_frequency_display(),
            "territoires": sorted(t.name for t in subscription.territories.all()),
            "themes": sorted(t.name for t in subscription.themes.all()),
            "cree_le": subscription.created_at.isoformat(),
            "dernier_envoi": subscription.last_sent_at.isoformat() if subscription.last_sent_at else None,
        },
    }


def erase(user) -> None:
    Subscription.objects.filter(user=user).delete()
