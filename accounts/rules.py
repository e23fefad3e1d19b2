import rules

from srefop_portal.common.permissions import is_authenticated

rules.add_perm("accounts.edit_own_profile", is_authenticated)
