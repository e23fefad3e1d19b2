from functools import cached_property

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from srefop_portal.common.permissions import PermissionRequiredMixin

from ..fragments import body_by_slug
from ..models import Body
from ..rules import can_read_body


class BodyMixin(PermissionRequiredMixin):
    """A page of one body's workspace: the body comes from ``Body.objects.for_user`` (out of scope: 404)."""

    permission_required = "clefop.view_body"
    page_label = ""

    @cached_property
    def body(self) -> Body:
        # Read from the cache (clefop/fragments.py), then the same rule as ``Body.objects.for_user``: the body's
        # members (and its working groups' parent's), the Crefop and the Cdefop of its département for the Clefops
        # and their groups, the staff (``can_read_body``, tested against ``for_user`` in tests/clefop).
        body = body_by_slug(self.kwargs["slug"])
        if body is None or not can_read_body(self.request.user, body):
            raise Http404("Instance introuvable.")
        return body

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
