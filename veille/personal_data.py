"""What the veille holds about a person (the ``personal_data`` hook): their subscription, deleted on closure."""

from __future__ import annotations

from .models import Subscription


def export(user) -> dict:
    subscription = Subscription.objects.filter(user=user).prefetch_related("territories", "themes").first()
    if subscription is None:
        return {"abonnement": None}
    return {
        "abonnement": {
            "frequence": subscription.get_frequency_display(),
            "territoires": sorted(t.name for t in subscription.territories.all()),
            "themes": sorted(t.name for t in subscription.themes.all()),
            "cree_le": subscription.created_at.isoformat(),
            "dernier_envoi": subscription.last_sent_at.isoformat() if subscription.last_sent_at else None,
        }
    }


def erase(user) -> None:
    Subscription.objects.filter(user=user).delete()
