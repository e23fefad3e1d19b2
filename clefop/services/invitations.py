"""Invitations: a random token e-mailed to the person; only its SHA-256 is stored. Single use, 14 days."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import notifications

from ..models import Body, Invitation, Membership, Position
from . import ClefopError


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("body", "organisation").filter(token_hash=hash_token(token)).first()


def accept_url(request, token: str) -> str:
    path = reverse("clefop:invitation_accept", args=[token])
    return request.build_absolute_uri(path) if request is not None else path


def _send(*, invitation: Invitation, token: str, request) -> None:
    context = {
        "invitation": invitation,
        "body": invitation.body,
        "url": accept_url(request, token),
        "inviter": invitation.invited_by,
        "validity_days": Invitation.VALIDITY_DAYS,
    }
    # Queued with the invitation: a rolled back transaction sends nothing.
    notifications.queue_mail(
        to=[invitation.email],
        subject=f"Invitation à rejoindre {invitation.body.name}",
        body=render_to_string("clefop/emails/invitation.txt", context),
        html_body=render_to_string("clefop/emails/invitation.html", context),
        kind="clefop.invitation",
    )


@transaction.atomic
def invite(
    *,
    body: Body,
    email: str,
    position: str,
    invited_by,
    request=None,
    organisation=None,
    role_label: str = "",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Invitation, str]:
    email = (email or "").strip().lower()
    if not email:
        raise ClefopError("Indiquez l’adresse électronique de la personne à inviter.")
    if position not in Position.values:
        raise ClefopError("Fonction inconnue.")
    if Membership.objects.active().filter(body=body, user__email__iexact=email).exists():
        raise ClefopError(f"{email} est déjà membre de {body.name}.")
    if Invitation.objects.pending().filter(body=body, email__iexact=email).exists():
        raise ClefopError(
            f"Une invitation est déjà en attente pour {email} : renvoyez-la depuis la liste des invitations."
        )
    token, token_hash = _new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        body=body,
        email=email,
        position=position,
        organisation=organisation,
        role_label=role_label,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        invited_by=invited_by,
        token_hash=token_hash,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=Invitation.VALIDITY_DAYS),
    )
    _send(invitation=invitation, token=token, request=request)
    return invitation, token


@transaction.atomic
def resend_invitation(*, invitation: Invitation, request=None) -> str:
    """A new link (the previous one stops working), valid 14 days from now."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("body").get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ClefopError("Cette invitation a déjà été acceptée.")
    if invitation.revoked_at:
        raise ClefopError("Cette invitation a été révoquée : invitez à nouveau la personne.")
    token, token_hash = _new_token()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.sent_at = now
    invitation.expires_at = now + datetime.timedelta(days=Invitation.VALIDITY_DAYS)
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    _send(invitation=invitation, token=token, request=request)
    return token


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ClefopError("Cette invitation a déjà été acceptée : mettez plutôt fin à l’appartenance.")
    if invitation.revoked_at:
        raise ClefopError("Cette invitation est déjà révoquée.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def check_usable(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise ClefopError("Ce lien d’invitation n’est pas valide. Vérifiez qu’il a été copié en entier.")
    if invitation.accepted_at:
        raise ClefopError("Cette invitation a déjà été utilisée. Connectez-vous pour accéder à l’instance.")
    if invitation.revoked_at:
        raise ClefopError("Cette invitation a été annulée. Contactez l’animateur·rice de l’instance.")
    if invitation.expires_at <= timezone.now():
        raise ClefopError(
            "Cette invitation a expiré (validité de 14 jours). Demandez à l’animateur·rice de vous la renvoyer."
        )
    return invitation


def _membership_from(invitation: Invitation, user) -> Membership:
    membership = (
        Membership.objects.active().filter(user=user, body=invitation.body, position=invitation.position).first()
    )
    if membership is None:
        membership = Membership.objects.create(
            user=user,
            body=invitation.body,
            position=invitation.position,
            organisation=invitation.organisation,
            role_label=invitation.role_label,
            start_date=timezone.localdate(),
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def accept_as_existing_user(*, invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("body").get(pk=invitation.pk)
    check_usable(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ClefopError(
            f"Cette invitation est adressée à {invitation.email} : connectez-vous avec cette adresse pour l’accepter."
        )
    return _membership_from(invitation, user)


@transaction.atomic
def accept_with_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> tuple[object, Membership]:
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("body", "organisation").get(pk=invitation.pk)
    )
    check_usable(invitation)
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ClefopError(f"Un compte existe déjà pour {invitation.email} : connectez-vous pour accepter l’invitation.")
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation_name=invitation.organisation.name if invitation.organisation else "",
    )
    # The link was received at this address: it is verified.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, _membership_from(invitation, user)
