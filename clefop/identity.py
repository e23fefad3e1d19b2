"""Identity hooks (``<app>/identity.py``, see docs/architecture.md): what a verified identity-provider sign-in
(ProConnect) means for the bodies' data. Called by accounts/proconnect/signin.py."""

from __future__ import annotations

from .models import Invitation, Organisation
from .services import ClefopError
from .services.invitations import accept_as_existing_user


def has_pending_invitation(*, email: str) -> bool:
    return Invitation.objects.pending().filter(email__iexact=email).exists()


def organisation_name_for_siret(*, siret: str) -> str | None:
    """The structure whose SIREN is the SIRET's first nine digits, when the portal knows exactly one."""
    names = list(Organisation.objects.filter(siren=siret[:9]).values_list("name", flat=True)[:2])
    return names[0] if len(names) == 1 else None


def accept_pending_invitations(*, user, email: str) -> list[str]:
    """The invitations pending for this address, accepted: the identity provider verified the address, as the link
    of the invitation e-mail would. Returns one French message per membership obtained."""
    notes = []
    for invitation in Invitation.objects.pending().filter(email__iexact=email).select_related("body"):
        try:
            membership = accept_as_existing_user(invitation=invitation, user=user)
        except ClefopError:
            continue  # accepted or revoked meanwhile: nothing to do
        notes.append(
            f"Invitation acceptée : vous êtes {membership.get_position_display().lower()} de {invitation.body.name}."
        )
    return notes
