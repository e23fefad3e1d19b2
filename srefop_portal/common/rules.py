import rules

from .permissions import is_authenticated

rules.add_perm("common.follow_jobs", is_authenticated)
