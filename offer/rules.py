"""Permission predicates of the offre de services (catalogue, sessions, support requests)."""

import rules

from clefop.models import Position, perimeter_of
from clefop.rules import is_body_animateur
from srefop_portal.common.permissions import is_authenticated, is_cariforef_staff

from .models import RegistrationStatus, carrier_ids_of


@rules.predicate
def is_carrier_member(user, dispositif) -> bool:
    """An active member of a body representing the organisation that carries the dispositif."""
    return dispositif is not None and dispositif.carrier_id in carrier_ids_of(user)


@rules.predicate
def represents_an_organisation(user) -> bool:
    return bool(carrier_ids_of(user))


@rules.predicate
def animates_a_body(user) -> bool:
    return Position.ANIMATEUR in perimeter_of(user).positions.values()


@rules.predicate
def is_registered_to(user, session) -> bool:
    if session is None or not user.is_authenticated:
        return False
    return session.registrations.filter(user=user, status=RegistrationStatus.REGISTERED).exists()


can_edit_dispositif = is_cariforef_staff | is_carrier_member

rules.add_perm("offer.add_dispositif", is_cariforef_staff | represents_an_organisation)
rules.add_perm("offer.change_dispositif", can_edit_dispositif)
rules.add_perm("offer.view_my_dispositifs", is_authenticated)
rules.add_perm("offer.import_dispositifs", is_cariforef_staff)
rules.add_perm("offer.register_session", is_authenticated)
rules.add_perm("offer.manage_sessions", is_cariforef_staff)
rules.add_perm("offer.download_session_document", is_cariforef_staff | is_registered_to)
rules.add_perm("offer.request_support", is_cariforef_staff | is_body_animateur)
rules.add_perm("offer.view_support_requests", is_authenticated)
rules.add_perm("offer.manage_support", is_cariforef_staff)
