"""The permission framework every app follows.

- Every view states its permission with a ``rules`` predicate (``permission_required``).
- Objects are fetched through ``Model.objects.for_user(user)``: out of scope means 404.
- Public views opt out of the login requirement with ``PublicMixin`` / ``login_not_required``.
"""

import rules
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils.decorators import method_decorator
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin

from .htmx import is_htmx, sign_in_response
from .second_factor import has_staff_powers


@rules.predicate
def is_cariforef_staff(user) -> bool:
    return has_staff_powers(user)


@rules.predicate
def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


class PublicMixin:
    """Marks a class-based view as reachable without signing in."""

    @method_decorator(login_not_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    """rules' mixin, answering 404 rather than 403 to signed-in users lacking the permission.

    Out-of-scope objects must not reveal that they exist.
    """

    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        if is_htmx(self.request):
            return sign_in_response(self.request, self.get_login_url(), self.get_redirect_field_name())
        return super().handle_no_permission()


class StaffViewMixin(PermissionRequiredMixin):
    """A Cariforef staff page: permission checked, and a second factor must be set up first."""

    requires_second_factor = True


def staff_view(view_func):
    """Function-view counterpart of StaffViewMixin's second-factor requirement."""
    view_func.requires_second_factor = True
    return view_func


class ScopedQuerysetMixin:
    """``get_queryset`` goes through ``Model.objects.for_user(request.user)``."""

    model = None

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)
