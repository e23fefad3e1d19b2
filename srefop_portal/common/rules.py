import rules

from .permissions import is_authenticated

rules.add_perm("common.follow_jobs", is_authenticated)

from .permissions import is_cariforef_staff  # noqa: E402

rules.add_perm("common.manage_outbox", is_cariforef_staff)
