"""Permission predicates of the offre de services (catalogue, sessions, support requests)."""

import rules

from srefop_portal.common.permissions import is_authenticated, is_cariforef_staff

from .models import Position, perimeter_of
from .offer_models import RegistrationStatus, carrier_ids_of
from .rules import is_body_animateur


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

rules.add_perm("clefop.add_dispositif", is_cariforef_staff | represents_an_organisation)
rules.add_perm("clefop.change_dispositif", can_edit_dispositif)
rules.add_perm("clefop.view_my_dispositifs", is_authenticated)
rules.add_perm("clefop.import_dispositifs", is_cariforef_staff)
rules.add_perm("clefop.register_session", is_authenticated)
rules.add_perm("clefop.manage_sessions", is_cariforef_staff)
rules.add_perm("clefop.download_session_document", is_cariforef_staff | is_registered_to)
rules.add_perm("clefop.request_support", is_cariforef_staff | is_body_animateur)
rules.add_perm("clefop.view_support_requests", is_authenticated)
rules.add_perm("clefop.manage_support", is_cariforef_staff)
