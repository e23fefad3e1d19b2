from functools import cached_property

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from srefop_portal.common.permissions import PermissionRequiredMixin

from ..models import Body, Position


def position_rank(membership) -> tuple:
    order = {Position.COCHAIR: 0, Position.ANIMATEUR: 1, Position.MEMBER: 2, Position.OBSERVER: 3}
    return (order.get(membership.position, 9), membership.user.last_name.lower(), membership.user.first_name.lower())


class BodyMixin(PermissionRequiredMixin):
    """A page of one body's workspace: the body comes from ``Body.objects.for_user`` (out of scope: 404)."""

    permission_required = "clefop.view_body"
    page_label = ""

    @cached_property
    def body(self) -> Body:
        queryset = Body.objects.for_user(self.request.user).select_related(
            "territory", "departement", "parent", "parent__territory"
        )
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.body

    def get_context_data(self, **kwargs):
        kwargs.setdefault("body", self.body)
        kwargs.setdefault("page_label", self.page_label)
        kwargs.setdefault("can_manage", self.request.user.has_perm("clefop.manage_body", self.body))
        return super().get_context_data(**kwargs)


class ServiceErrorMixin:
    """Helpers to turn a ClefopError into a message and a redirect."""

    def fail(self, error, to):
        messages.error(self.request, str(error))
        return redirect(to)
