"""Digest e-mails: one grouped message per due subscriber, with exactly the items listed since the last one."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import notifications, wording

from .models import NewsItem, Subscription
from .services import unsubscribe_token

logger = logging.getLogger(__name__)

MAX_ITEMS = 100
PERIODS = {
    Subscription.Frequency.DAILY: timedelta(hours=20),
    Subscription.Frequency.WEEKLY: timedelta(days=6, hours=20),
}


def is_due(subscription: Subscription, now) -> bool:
    period = PERIODS.get(subscription.frequency)
    if period is None:
        return False
    return subscription.last_sent_at is None or subscription.last_sent_at <= now - period


def items_for(subscription: Subscription, now):
    since = subscription.last_sent_at or subscription.created_at
    queryset = NewsItem.objects.published().filter(listed_at__gt=since, listed_at__lte=now)
    territories = [t.pk for t in subscription.territories.all()]
    themes = [t.pk for t in subscription.themes.all()]
    if territories:
        queryset = queryset.filter(
            pk__in=NewsItem.objects.filter(territory_tags__territory__in=territories).values("pk")
        )
    if themes:
        queryset = queryset.filter(pk__in=NewsItem.objects.filter(themes__in=themes).values("pk"))
    return queryset.select_related("source").prefetch_related("territories").order_by("-published_at", "-pk")


def send_digest(subscription: Subscription, now) -> bool:
    queryset = items_for(subscription, now)
    items = list(queryset[: MAX_ITEMS + 1])
    if not items:
        return False
    more = len(items) > MAX_ITEMS
    items = items[:MAX_ITEMS]
    unsubscribe_url = settings.SITE_URL + reverse("veille:unsubscribe", args=[unsubscribe_token(subscription)])
    context = {
        "subscription": subscription,
        "items": items,
        "more": more,
        "count": len(items),
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings.SITE_URL + reverse("veille:subscription"),
        "list_url": settings.SITE_URL + reverse("veille:list"),
        "site_url": settings.SITE_URL,
    }
    daily = subscription.frequency == Subscription.Frequency.DAILY
    count = wording.plural(len(items), "%(count)s article", "%(count)s articles")
    if more:
        count = f"plus de {MAX_ITEMS} articles"
    notifications.queue_mail(
        to=[subscription.user.email],
        subject=f"Veille {'quotidienne' if daily else 'hebdomadaire'} : {count}",
        body=render_to_string("veille/email/digest.txt", context),
        html_body=render_to_string("veille/email/digest.html", context),
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        kind="veille.digest",
    )
    Subscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return True


def send_due_digests(now=None) -> int:
    now = now or timezone.now()
    sent = 0
    subscriptions = (
        Subscription.objects.exclude(frequency=Subscription.Frequency.NONE)
        .filter(user__is_active=True)
        .select_related("user")
        .prefetch_related("territories", "themes")
    )
    for subscription in subscriptions:
        if not is_due(subscription, now):
            continue
        try:
            sent += send_digest(subscription, now)
        except Exception:  # one bad address must not block the others
            logger.exception("veille: envoi du récapitulatif %s en échec", subscription.pk)
    return sent
