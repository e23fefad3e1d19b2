"""E-mails to the people a member import brought in.

- An account created by the import: a welcome e-mail (bodies, positions, a personal link to choose a password:
  django-allauth's password reset token, so the link is the portal's usual « mot de passe oublié » page).
- An account that already existed: « vous avez été ajouté·e à <instance> » (with the password link too if the
  person never chose one).

One e-mail per person, whatever the number of lines about them. They leave once the import's transaction commits
(nothing if it rolls back); above ``SYNC_LIMIT`` people they are sent by a Celery task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import groupby

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Membership

logger = logging.getLogger(__name__)

SYNC_LIMIT = 20  # more people than this: a Celery task sends the e-mails, the confirmation page does not wait


@dataclass
class SendReport:
    sent: int = 0
    failed_membership_ids: list[int] = field(default_factory=list)


def queue_import_emails(*, memberships: list[Membership], new_user_ids, by=None) -> None:
    """Call inside the import's transaction: the e-mails are sent once it commits, never if it rolls back."""
    membership_ids = sorted(m.pk for m in memberships)
    new_user_ids = sorted(set(new_user_ids))
    people = len({m.user_id for m in memberships})
    by_id = getattr(by, "pk", None)
    if not membership_ids:
        return

    def dispatch():
        if people > SYNC_LIMIT:
            send_member_import_emails.delay(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id)
        else:
            report = send_import_emails(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id)
            if report.failed_membership_ids:  # the SMTP server failed: the task retries those later
                send_member_import_emails.apply_async(
                    kwargs={
                        "membership_ids": report.failed_membership_ids,
                        "new_user_ids": new_user_ids,
                        "by_id": by_id,
                    },
                    countdown=60,
                )

    transaction.on_commit(dispatch, robust=True)


def set_password_url(user) -> str:
    """allauth's « choose a new password » link for this account (valid PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return f"{settings.SITE_URL}{path}"


def link_validity_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def _context(user, memberships: list[Membership], *, created: bool, by) -> dict:
    bodies = [
        {
            "name": m.body.name,
            "position": m.get_position_display().lower(),
            "organisation": m.organisation.name if m.organisation_id else "",
            "role_label": m.role_label,
            "url": f"{settings.SITE_URL}{m.body.get_absolute_url()}",
        }
        for m in memberships
    ]
    needs_password = created or not user.has_usable_password()
    return {
        "user": user,
        "first_name": user.first_name.strip(),
        "created": created,
        "bodies": bodies,
        "body": bodies[0],
        "by_name": (by.get_full_name().strip() or by.email) if by is not None else "",
        "password_url": set_password_url(user) if needs_password else "",
        "reset_url": f"{settings.SITE_URL}{reverse('account_reset_password')}",
        "login_url": f"{settings.SITE_URL}{reverse('account_login')}",
        "validity_days": link_validity_days(),
        "site_url": settings.SITE_URL,
    }


def build_email(user, memberships: list[Membership], *, created: bool, by=None) -> EmailMultiAlternatives:
    context = _context(user, memberships, created=created, by=by)
    names = [b["name"] for b in context["bodies"]]
    if created:
        subject = (
            f"Bienvenue sur le Portail Srefop — {names[0]}" if len(names) == 1 else "Bienvenue sur le Portail Srefop"
        )
        template = "clefop/emails/member_welcome"
    else:
        subject = (
            f"Vous avez été ajouté·e à l’instance {names[0]}"
            if len(names) == 1
            else "Vous avez été ajouté·e à des instances"
        )
        template = "clefop/emails/member_added"
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=render_to_string(f"{template}.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_import_emails(*, membership_ids, new_user_ids, by_id=None) -> SendReport:
    """One e-mail per person of these memberships; the people in ``new_user_ids`` get the welcome e-mail.

    A person whose e-mail the server refused is reported (their memberships), the others are still sent."""
    report = SendReport()
    new_user_ids = set(new_user_ids)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    memberships = (
        Membership.objects.filter(pk__in=membership_ids, user__is_active=True)
        .select_related("user", "body", "organisation")
        .order_by("user_id", "body__name", "pk")
    )
    groups = [list(group) for _user_id, group in groupby(memberships, key=lambda m: m.user_id)]
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # noqa: BLE001 — server unreachable: everything is to be sent again later
        logger.warning("Serveur de courrier injoignable : e-mails d'import à renvoyer", exc_info=True)
        report.failed_membership_ids = [m.pk for group in groups for m in group]
        return report
    try:
        for group in groups:
            user = group[0].user
            message = build_email(user, group, created=user.pk in new_user_ids, by=by)
            message.connection = connection
            try:
                message.send()
            except Exception:  # noqa: BLE001 — one refused address must not stop the others
                logger.warning("E-mail d'import non envoyé à l'utilisateur %s", user.pk, exc_info=True)
                report.failed_membership_ids.extend(m.pk for m in group)
            else:
                report.sent += 1
    finally:
        connection.close()
    logger.info("Import de membres : %s e-mail(s) envoyé(s)", report.sent)
    return report


# The Celery task of a large import's e-mails, defined here (and imported by clefop.tasks for the workers) so that
# queue_import_emails does not import the tasks module, which imports the services.
@shared_task(bind=True, name="clefop.tasks.send_member_import_emails", max_retries=5, default_retry_delay=300)
def send_member_import_emails(
    self, membership_ids: list[int], new_user_ids: list[int], by_id: int | None = None
) -> int:
    """Welcome / « ajouté·e à l'instance » e-mails of a large member import; only the refused ones are retried."""
    report = send_import_emails(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id)
    if report.failed_membership_ids:
        raise self.retry(
            kwargs={"membership_ids": report.failed_membership_ids, "new_user_ids": new_user_ids, "by_id": by_id}
        )
    return report.sent
