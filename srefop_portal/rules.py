import rules

from srefop_portal.common.permissions import is_cariforef_staff

rules.add_perm("portal.staff", is_cariforef_staff)
