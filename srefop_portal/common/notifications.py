"""The portal's one way to tell people something: a notice in the portal and an e-mail through the outbox.

- ``notify(users, subject=..., message=..., url=...)``: a notice in the portal for each active user (the actor
  excepted) and, unless ``email=False``, one e-mail each.
- ``queue_mail(to=..., subject=..., body=..., html_body=...)``: an e-mail of its own (reminders, digests...).
- ``queue_email(message)``: an ``EmailMessage`` built elsewhere (allauth's adapter).

Every e-mail is an ``OutboxMessage`` row written in the caller's transaction (a rolled back change sends nothing),
handed to Celery once that transaction commits, sent by ``tasks.deliver_mail``, retried with back-off
(``SREFOP_MAIL_RETRY_BASE`` seconds, ×3 each time) and marked failed, with the error, after
``SREFOP_MAIL_MAX_ATTEMPTS`` tries. Nothing here raises into a web request once its transaction committed: a mail
server or broker that is down only delays the message (``flush_outbox`` in beat picks up what was not handed over).
Staff see failed messages and send them again at /gestion/courriels/.

Each e-mail gets the portal's subject prefix (the subject is never cut mid-word) and its one signature.
The demonstration loaders turn e-mail off with ``with mail_suspended(): ...`` (notices are still recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import partial
from html import escape

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import Notice, OutboxMessage
from .wording import shorten, typographic

logger = logging.getLogger(__name__)

SIGNATURE = "Le Portail Srefop — Carif-Oref des Pays de la Loire"
SUBJECT_MAX = 200
NOTICE_MAX = 500
RETRY_CAP = timedelta(hours=6)
LOST_HANDOVER_GRACE = timedelta(minutes=1)

_suspended: ContextVar[bool] = ContextVar("srefop_mail_suspended", default=False)


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


# ---------------------------------------------------------------------------------------------- the switch


@contextmanager
def mail_suspended():
    """No e-mail is queued inside this block (demonstration data, bulk loads); notices are still recorded."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def mail_enabled() -> bool:
    return not _suspended.get()


# ---------------------------------------------------------------------------------------------- subject and signature


def subject_line(subject: str) -> str:
    """The whole subject with the portal's prefix, within SUBJECT_MAX characters, never cut mid-word."""
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    subject = " ".join((subject or "").split())
    if prefix and subject.startswith(prefix.strip()):
        subject = subject[len(prefix.strip()) :].strip()
    return prefix + shorten(subject, SUBJECT_MAX - len(prefix))


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def signed_text(body: str) -> str:
    return f"{body.rstrip()}\n\n-- \n{SIGNATURE}\n"


def signed_html(html: str) -> str:
    signature = f'<p style="color:#666">— {escape(SIGNATURE)}</p>'
    lower = html.lower()
    if "</body>" in lower:
        index = lower.rindex("</body>")
        return f"{html[:index]}{signature}\n{html[index:]}"
    return f"{html.rstrip()}\n{signature}\n"


# ---------------------------------------------------------------------------------------------- queueing


def notify(
    users: Iterable, *, subject: str, message: str, url: str = "", actor=None, email: bool = True, kind: str = ""
) -> int:
    """A notice in the portal and (unless ``email=False``) an e-mail to each active user except the actor.

    Returns the number of people notified."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active and (actor is None or u.pk != actor.pk)}
    if not recipients:
        return 0
    Notice.objects.bulk_create(
        [Notice(user=user, message=typographic(shorten(message, NOTICE_MAX)), url=url) for user in recipients.values()]
    )
    if email:
        body = f"Bonjour,\n\n{message}\n"
        if url:
            body += f"\nConsulter : {absolute_url(url)}\n"
        for user in recipients.values():
            if user.email:
                queue_mail(to=[user.email], subject=subject, body=body, kind=kind)
    return len(recipients)


def queue_mail(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict | None = None,
    kind: str = "",
) -> OutboxMessage | None:
    """Record the e-mail in the outbox and hand it to Celery once the current transaction commits."""
    recipients = list(dict.fromkeys(address.strip() for address in to if address and address.strip()))
    if not recipients or not mail_enabled():
        return None
    message = OutboxMessage.objects.create(
        kind=kind[:80],
        to=recipients,
        subject=typographic(subject_line(subject)),
        body=typographic(signed_text(body)),
        html_body=typographic(signed_html(html_body)) if html_body else "",
        headers=headers or {},
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(partial(_hand_over, message.pk))
    return message


def queue_email(message, *, kind: str = "") -> OutboxMessage | None:
    """An ``EmailMessage`` (or ``EmailMultiAlternatives``) built elsewhere, sent through the outbox."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype == "text/html":
            html = content
    if getattr(message, "content_subtype", "plain") == "html":
        html, body = message.body, ""
    else:
        body = message.body
    return queue_mail(
        to=list(message.to) + list(message.cc) + list(message.bcc),
        subject=message.subject,
        body=body,
        html_body=html,
        headers=dict(message.extra_headers or {}),
        kind=kind,
    )


def _hand_over(message_id: int) -> None:
    """After commit: never raises (a broker that is down leaves the message to ``flush_outbox``)."""
    try:
        deliver_mail.delay(message_id)
    except Exception:  # noqa: BLE001 — the message is in the outbox; the periodic sweep sends it
        logger.warning("Courriel %s : remise à la file impossible, le balayage le reprendra", message_id, exc_info=True)


# ---------------------------------------------------------------------------------------------- sending


def retry_delay(attempts: int) -> timedelta:
    base = timedelta(seconds=float(getattr(settings, "SREFOP_MAIL_RETRY_BASE", 60)))
    return min(base * (3 ** max(attempts - 1, 0)), RETRY_CAP)


def max_attempts() -> int:
    return int(getattr(settings, "SREFOP_MAIL_MAX_ATTEMPTS", 6))


def deliver(message_id: int) -> tuple[str, timedelta | None]:
    """One try at sending a queued message. Returns the outcome and, for a retry, the delay before the next try.

    The row is locked while sending (PostgreSQL), so two workers never send the same message."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return Outcome.SKIPPED, None
        now = timezone.now()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            email = EmailMultiAlternatives(
                subject=message.subject, body=message.body, to=message.to, headers=message.headers or None
            )
            if message.html_body:
                email.attach_alternative(message.html_body, "text/html")
            email.send()
        except Exception as exc:  # noqa: BLE001 — any failure is recorded and retried, never raised
            message.last_error = f"{type(exc).__name__} : {exc}"[:2000]
            if message.attempts >= max_attempts():
                message.status = OutboxMessage.Status.FAILED
                message.next_attempt_at = None
                outcome, delay = Outcome.FAILED, None
                logger.error("Courriel %s en échec après %s essais : %s", message.pk, message.attempts, exc)
            else:
                delay = retry_delay(message.attempts)
                message.next_attempt_at = now + delay
                outcome = Outcome.RETRY
                logger.warning("Courriel %s non envoyé (essai %s) : %s", message.pk, message.attempts, exc)
            message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "next_attempt_at"])
            return outcome, delay
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.save(update_fields=["attempts", "last_attempt_at", "status", "sent_at", "next_attempt_at"])
        return Outcome.SENT, None


def flush_due(now=None) -> int:
    """Hand over again the queued messages whose next try is due and was not taken (lost hand-over, no retry)."""
    now = now or timezone.now()
    ids = list(OutboxMessage.objects.due(now - LOST_HANDOVER_GRACE).values_list("pk", flat=True)[:500])
    for message_id in ids:
        _hand_over(message_id)
    return len(ids)


@transaction.atomic
def resend(*, message_ids: Iterable[int]) -> int:
    """Staff: queue failed messages again (a fresh series of tries)."""
    messages = OutboxMessage.objects.select_for_update().filter(
        pk__in=list(message_ids), status=OutboxMessage.Status.FAILED
    )
    ids = list(messages.values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    for message_id in ids:
        transaction.on_commit(partial(_hand_over, message_id))
    return len(ids)


# ---------------------------------------------------------------------------------------------- tasks
# Defined here, beside what queues them (registered under srefop_portal.common.tasks.* by name).


@shared_task(
    bind=True,
    name="srefop_portal.common.tasks.deliver_mail",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
)
def deliver_mail(self, message_id: int):
    """One try at sending an outbox message; a failed try is retried after its back-off (the outbox counts)."""
    outcome, delay = deliver(message_id)
    if outcome == Outcome.RETRY and delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay.total_seconds())
    return outcome


@shared_task(name="srefop_portal.common.tasks.flush_outbox")
def flush_outbox():
    return flush_due()
