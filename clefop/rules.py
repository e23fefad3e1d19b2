"""Permission predicates of the governance matrix. Every app builds on these.

- member/observer of a body: reads its workspace; members (not observers) of a Clefop edit its roadmap;
- animateur·rice: manages members, invitations, working groups, meetings, documents;
- co-président·e: what a member does, plus adopting the roadmap and downloading reports;
- Cdefop members read every Clefop of their département; Crefop members read every Clefop;
- Cariforef staff do everything.
"""

import rules

from srefop_portal.common.permissions import is_authenticated, is_cariforef_staff

from .models import EDITING_POSITIONS, BodyKind, Position, perimeter_of


def _body_position(user, body):
    return perimeter_of(user).position(body)


@rules.predicate
def can_read_body(user, body) -> bool:
    if body is None:
        return False
    perimeter = perimeter_of(user)
    if perimeter.is_staff:
        return True
    if not user.is_authenticated:
        return False
    if perimeter.position(body) or (body.parent_id and body.parent_id in perimeter.positions):
        return True
    clefop = body.clefop_body
    if clefop is not None:
        if perimeter.is_crefop:
            return True
        if clefop.territory.departement_id in perimeter.cdefop_departements:
            return True
    return False


@rules.predicate
def is_body_animateur(user, body) -> bool:
    if body is None:
        return False
    perimeter = perimeter_of(user)
    if perimeter.position(body) == Position.ANIMATEUR:
        return True
    # The animateur of a body also runs its working groups.
    return bool(body.parent_id and perimeter.positions.get(body.parent_id) == Position.ANIMATEUR)


@rules.predicate
def is_body_cochair(user, body) -> bool:
    return body is not None and _body_position(user, body) == Position.COCHAIR


@rules.predicate
def is_body_editor(user, body) -> bool:
    """Members, animateurs and co-chairs (not observers)."""
    return body is not None and _body_position(user, body) in EDITING_POSITIONS


@rules.predicate
def is_body_member(user, body) -> bool:
    """Any active position in the body, observers included."""
    return body is not None and _body_position(user, body) is not None


@rules.predicate
def is_clefop_overseer(user, body) -> bool:
    """Cdefop of the Clefop's département, or Crefop."""
    if body is None or body.kind != BodyKind.CLEFOP:
        return False
    perimeter = perimeter_of(user)
    return perimeter.is_crefop or body.territory.departement_id in perimeter.cdefop_departements


@rules.predicate
def is_working_group(user, body) -> bool:
    return body is not None and body.kind == BodyKind.WORKING_GROUP


can_manage_body = is_cariforef_staff | is_body_animateur
can_edit_roadmap = is_cariforef_staff | is_body_editor
can_adopt_roadmap = is_cariforef_staff | is_body_cochair
can_download_reports = is_cariforef_staff | is_body_member | is_clefop_overseer

rules.add_perm("clefop.view_body", is_cariforef_staff | can_read_body)
rules.add_perm("clefop.manage_body", can_manage_body)
rules.add_perm("clefop.leave_body", is_body_member)
rules.add_perm("clefop.edit_roadmap", can_edit_roadmap)
rules.add_perm("clefop.adopt_roadmap", can_adopt_roadmap)
rules.add_perm("clefop.download_reports", can_download_reports)
rules.add_perm("clefop.manage_directory", is_cariforef_staff)
rules.add_perm("clefop.manage_organisations", is_cariforef_staff)
rules.add_perm("clefop.restore_document", is_cariforef_staff)
rules.add_perm("clefop.create_working_group", can_manage_body & ~is_working_group)
rules.add_perm("clefop.view_my_bodies", is_authenticated)
