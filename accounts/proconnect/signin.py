"""What a verified ProConnect sign-in does in the portal.

- The agent is known by their professional e-mail address (``sub`` differs for each identity provider): an account
  with that address is signed in, with everything it holds (positions, staff status) unchanged. An unknown address
  gets a new account of a plain signed-in actor when sign-up is open, or when an invitation is pending for it;
  otherwise the agent is refused (``adapters.SocialAccountAdapter``). A sign-in alone never gives a position nor a
  staff power: positions come from invitations (accepted here when one is pending for the verified address — the
  same proof as the link the invitation e-mail carries) and staff status from the Cariforef team.
- Names come from ProConnect at each sign-in; the organisation is suggested from the SIRET when the portal knows a
  structure with that SIREN and the profile names none yet.
- A sign-in whose ``amr`` contains ``mfa`` counts as the session's second factor
  (``srefop_portal.common.second_factor``); otherwise a staff member still goes through the portal's TOTP.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import transaction

from srefop_portal.common.hooks import implementations
from srefop_portal.common.second_factor import mark_session_verified

from . import PROVIDER_ID

logger = logging.getLogger(__name__)


def is_proconnect(sociallogin) -> bool:
    return sociallogin is not None and getattr(sociallogin.account, "provider", None) == PROVIDER_ID


def used_mfa(sociallogin) -> bool:
    """Whether the identity provider vouched for a multi-factor authentication (``amr`` of the verified id_token)."""
    if not is_proconnect(sociallogin):
        return False
    amr = ((sociallogin.account.extra_data or {}).get("id_token") or {}).get("amr") or []
    return isinstance(amr, list) and "mfa" in amr


def identity_hooks(name: str):
    """The apps' ``identity.py`` functions called ``name`` (extension points: srefop_portal/common/hooks.py)."""
    for _config, function in implementations(f"identity.{name}"):
        yield function


def invitation_pending_for(email: str) -> bool:
    return any(hook(email=email) for hook in identity_hooks("has_pending_invitation"))


def suggested_organisation(siret: str) -> str:
    siret = "".join(ch for ch in (siret or "") if ch.isdigit())
    if len(siret) != 14:
        return ""
    for hook in identity_hooks("organisation_name_for_siret"):
        name = hook(siret=siret)
        if name:
            return name
    return ""


@transaction.atomic
def link_account(*, request, sociallogin, user) -> None:
    """Connect a first ProConnect sign-in to the account holding the verified address, and record that address as
    verified (ProConnect vouches for it: no confirmation e-mail is asked)."""
    from allauth.account.models import EmailAddress

    sociallogin.connect(request, user)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


@transaction.atomic
def update_from_proconnect(*, user, userinfo: dict) -> list[str]:
    """Names from ProConnect, organisation suggested from the SIRET, pending invitations for the verified address
    accepted. Returns the messages to show (French)."""
    changed = []
    first_name = (userinfo.get("given_name") or "").strip()[:150]
    last_name = (userinfo.get("usual_name") or "").strip()[:150]
    if first_name and first_name != user.first_name:
        user.first_name = first_name
        changed.append("first_name")
    if last_name and last_name != user.last_name:
        user.last_name = last_name
        changed.append("last_name")
    if not user.organisation_name:
        organisation = suggested_organisation(userinfo.get("siret") or "")
        if organisation:
            user.organisation_name = organisation[:200]
            changed.append("organisation_name")
    if changed:
        user.save(update_fields=changed)
    notes = []
    email = (userinfo.get("email") or "").strip().lower()
    if email and email == user.email:
        for hook in identity_hooks("accept_pending_invitations"):
            notes.extend(hook(user=user, email=email))
    return notes


def on_user_logged_in(sender, request, user, sociallogin=None, **kwargs):
    """allauth's ``user_logged_in`` (connected in AccountsConfig.ready): after a ProConnect sign-in, once the session
    is the signed-in one."""
    if not is_proconnect(sociallogin):
        return
    state = sociallogin.state or {}
    if state.get("id_token") and state.get("end_session_endpoint"):
        from .views import END_SESSION_SESSION_KEY, ID_TOKEN_SESSION_KEY

        request.session[ID_TOKEN_SESSION_KEY] = state["id_token"]
        request.session[END_SESSION_SESSION_KEY] = state["end_session_endpoint"]
    if used_mfa(sociallogin):
        mark_session_verified(request, method="proconnect")
    userinfo = (sociallogin.account.extra_data or {}).get("userinfo") or {}
    for note in update_from_proconnect(user=user, userinfo=userinfo):
        messages.success(request, note)
