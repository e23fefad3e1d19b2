import rules

from srefop_portal.common.permissions import is_authenticated, is_cariforef_staff

rules.add_perm("veille.manage", is_cariforef_staff)
rules.add_perm("veille.subscribe", is_authenticated)
