import rules

from srefop_portal.common.permissions import is_cariforef_staff

rules.add_perm("territories.change_composition", is_cariforef_staff)
rules.add_perm("territories.view_composition_history", is_cariforef_staff)
