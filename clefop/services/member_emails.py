"""E-mails to the people a member import brought in.

- An account created by the import: a welcome e-mail (bodies, positions, a personal link to choose a password:
  django-allauth's password reset token, so the link is the portal's usual « mot de passe oublié » page).
- An account that already existed: « vous avez été ajouté·e à <instance> » (with the password link too if the
  person never chose one).

One e-mail per person, whatever the number of lines about them, through the portal's outbox
(srefop_portal/common/notifications.py: retried, never lost). They leave once the import's transaction commits
(nothing if it rolls back); above ``SYNC_LIMIT`` people a Celery task queues them.
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
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from srefop_portal.common import notifications

from ..models import Membership

logger = logging.getLogger(__name__)

SYNC_LIMIT = 20  # more people than this: a Celery task sends the e-mails, the confirmation page does not wait


@dataclass
class SendReport:
    sent: int = 0
    failed_membership_ids: list[int] = field(default_factory=list)


def queue_import_emails(*, memberships: list[Membership], new_user_ids, by=None) -> None:
    """Call inside the import's transaction: the e-mails join the outbox in it (nothing if it rolls back) and leave
    once it commits. Above SYNC_LIMIT people a Celery task writes them after commit, so the page does not wait."""
    membership_ids = sorted(m.pk for m in memberships)
    new_user_ids = sorted(set(new_user_ids))
    people = len({m.user_id for m in memberships})
    by_id = getattr(by, "pk", None)
    if not membership_ids:
        return
    if people <= SYNC_LIMIT:
        send_import_emails(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id)
        return

    def dispatch():
        send_member_import_emails.delay(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id)

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


def build_email(user, memberships: list[Membership], *, created: bool, by=None) -> dict:
    """Subject, text and HTML of the welcome / « ajouté·e » e-mail (queued by ``send_import_emails``)."""
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
            else f"Vous avez été ajouté·e à {len(names)} instances"
        )
        template = "clefop/emails/member_added"
    return {
        "to": [user.email],
        "subject": subject,
        "body": render_to_string(f"{template}.txt", context),
        "html_body": render_to_string(f"{template}.html", context),
    }


def send_import_emails(*, membership_ids, new_user_ids, by_id=None) -> SendReport:
    """One e-mail per person of these memberships, queued in the outbox (which retries what the server refuses);
    the people in ``new_user_ids`` get the welcome e-mail."""
    report = SendReport()
    new_user_ids = set(new_user_ids)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    memberships = (
        Membership.objects.filter(pk__in=membership_ids, user__is_active=True)
        .select_related("user", "body", "organisation")
        .order_by("user_id", "body__name", "pk")
    )
    groups = [list(group) for _user_id, group in groupby(memberships, key=lambda m: m.user_id)]
    with transaction.atomic():
        for group in groups:
            user = group[0].user
            if notifications.queue_mail(
                **build_email(user, group, created=user.pk in new_user_ids, by=by), kind="clefop.member_import"
            ):
                report.sent += 1
    logger.info("Import de membres : %s e-mail(s) mis en file", report.sent)
    return report


# The Celery task of a large import's e-mails, defined here (and imported by clefop.tasks for the workers) so that
# queue_import_emails does not import the tasks module, which imports the services.
@shared_task(name="clefop.tasks.send_member_import_emails")
def send_member_import_emails(membership_ids: list[int], new_user_ids: list[int], by_id: int | None = None) -> int:
    """Welcome / « ajouté·e à l’instance » e-mails of a large member import, queued in the outbox (which retries)."""
    return send_import_emails(membership_ids=membership_ids, new_user_ids=new_user_ids, by_id=by_id).sent
