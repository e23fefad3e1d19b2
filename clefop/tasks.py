"""Thin Celery tasks: primary keys in, services do the work."""

import logging

from celery import shared_task
from django.conf import settings

from .services.meetings import meetings_missing_minutes, send_minutes_reminder
from .services.member_emails import send_member_import_emails  # noqa: F401  (defined beside what queues it)

logger = logging.getLogger(__name__)


@shared_task(name="clefop.tasks.remind_missing_minutes", autoretry_for=(ConnectionError,), max_retries=3)
def remind_missing_minutes() -> int:
    """Past meetings still without minutes 7 days after they ended: one reminder to the animateurs."""
    base_url = getattr(settings, "SITE_URL", "")
    sent = 0
    for meeting_id in list(meetings_missing_minutes().values_list("pk", flat=True).distinct()):
        sent += bool(send_minutes_reminder(meeting_id=meeting_id, base_url=base_url))
    logger.info("minutes reminders: %s meeting(s)", sent)
    return sent
