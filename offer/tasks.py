"""Thin Celery tasks of the offre de services: the services do the work."""

import logging

from celery import shared_task

from .services import registrations_to_remind, send_review_reminders, send_session_reminder

logger = logging.getLogger(__name__)


@shared_task(name="offer.tasks.send_session_reminders", autoretry_for=(ConnectionError,), max_retries=3)
def send_session_reminders() -> int:
    """The day before a professionalisation session: one reminder per confirmed registration."""
    sent = 0
    for registration_id in list(registrations_to_remind().values_list("pk", flat=True)):
        sent += bool(send_session_reminder(registration_id=registration_id))
    logger.info("session reminders: %s", sent)
    return sent


@shared_task(name="offer.tasks.send_dispositif_review_reminders", autoretry_for=(ConnectionError,), max_retries=3)
def send_dispositif_review_reminders() -> int:
    """Dispositifs not reviewed for 12 months: one e-mail per editor (at most every 4 weeks)."""
    sent = send_review_reminders()
    logger.info("dispositif review reminders: %s person(s)", sent)
    return sent
