"""Roadmap permissions, built on the governance predicates of clefop. The object is always the Clefop (Body).

- readers of the Clefop (its members and observers, its Cdefop, the Crefop, staff) read its roadmaps;
- members, animateurs and co-chairs (not observers) edit actions and priorities;
- the animateur submits, opens a revision, records the annual review and restores earlier versions;
- a co-chair adopts (or sends back) a submitted roadmap;
- progress reports: the Clefop's members (observers included), its Cdefop, the Crefop and staff; the regional
  bundle: the Crefop and staff.
"""

import rules

from clefop.rules import (
    can_adopt_roadmap,
    can_download_reports,
    can_edit_roadmap,
    can_read_body,
    is_body_animateur,
    is_body_cochair,
)
from srefop_portal.common.permissions import is_cariforef_staff


@rules.predicate
def is_dashboard_reader(user) -> bool:
    from clefop.models import perimeter_of

    perimeter = perimeter_of(user)
    return perimeter.is_staff or perimeter.is_crefop or bool(perimeter.cdefop_departements)


@rules.predicate
def is_region_reader(user) -> bool:
    from clefop.models import perimeter_of

    perimeter = perimeter_of(user)
    return perimeter.is_staff or perimeter.is_crefop


@rules.predicate
def can_read_departement(user, departement) -> bool:
    from clefop.models import perimeter_of

    perimeter = perimeter_of(user)
    if perimeter.is_staff or perimeter.is_crefop:
        return True
    return departement is not None and departement.pk in perimeter.cdefop_departements


can_run_roadmap = is_cariforef_staff | is_body_animateur
can_steer_roadmap = is_cariforef_staff | is_body_animateur | is_body_cochair

rules.add_perm("roadmaps.view_roadmap", is_cariforef_staff | can_read_body)
rules.add_perm("roadmaps.edit_roadmap", can_edit_roadmap)
rules.add_perm("roadmaps.create_roadmap", can_steer_roadmap)
rules.add_perm("roadmaps.submit_roadmap", can_run_roadmap)
rules.add_perm("roadmaps.adopt_roadmap", can_adopt_roadmap)
rules.add_perm("roadmaps.return_roadmap", can_steer_roadmap)
rules.add_perm("roadmaps.revise_roadmap", can_steer_roadmap)
rules.add_perm("roadmaps.archive_roadmap", can_steer_roadmap)
rules.add_perm("roadmaps.review_roadmap", can_steer_roadmap)
rules.add_perm("roadmaps.restore_version", can_run_roadmap)
rules.add_perm("roadmaps.view_dashboard", is_dashboard_reader)
rules.add_perm("roadmaps.view_region_dashboard", is_region_reader)
rules.add_perm("roadmaps.view_departement_dashboard", can_read_departement)
rules.add_perm("roadmaps.manage_referential", is_cariforef_staff)
# Progress reports: the Clefop's co-chairs and members (observers included), its Cdefop, the Crefop, staff.
rules.add_perm("roadmaps.download_report", can_download_reports)
rules.add_perm("roadmaps.download_regional_bundle", is_region_reader)
