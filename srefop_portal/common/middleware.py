"""Cariforef staff must have set up a second factor (TOTP) before reaching staff pages.

Staff pages are the views marked ``requires_second_factor`` (see ``StaffViewMixin``) and the Django admin.
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def has_second_factor(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def view_requires_second_factor(view_func) -> bool:
    view_class = getattr(view_func, "view_class", None)
    return bool(
        getattr(view_func, "requires_second_factor", False) or getattr(view_class, "requires_second_factor", False)
    )


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not (request.path.startswith("/admin/") or view_requires_second_factor(view_func)):
            return None
        if (user.is_cariforef_staff or user.is_superuser) and not has_second_factor(user):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return None
