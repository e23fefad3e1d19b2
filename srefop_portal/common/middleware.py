"""Staff powers need a session that passed the second factor (see ``second_factor``).

``SecondFactorMiddleware`` runs on every request:
- it tells ``request.user`` whether this session passed the second factor: the staff predicates, ``for_user``
  scopes and job access read it through ``has_staff_powers``, so a staff account signed in with a password only
  has exactly the powers of a plain signed-in user;
- staff-only paths (the Django admin, ``/gestion/``, views marked ``requires_second_factor``, and the pages that
  remove or reveal a second factor) send such a session to the second-factor step — or to enrolment when the
  account has no factor yet — and come back afterwards.
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .second_factor import bind_request_user, lacks_second_factor

STAFF_PATH_PREFIXES = ("/admin/", "/gestion/")
# allauth.mfa pages that would let a password-only session remove or read the account's second factor.
PROTECTED_MFA_VIEWS = {
    "mfa_deactivate_totp",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}


def has_second_factor(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def view_requires_second_factor(view_func) -> bool:
    view_class = getattr(view_func, "view_class", None)
    return bool(
        getattr(view_func, "requires_second_factor", False) or getattr(view_class, "requires_second_factor", False)
    )


def second_factor_step_url(user, next_url: str) -> str:
    """Where a staff session goes to pass (or first set up) its second factor, then back to ``next_url``."""
    name = "mfa_reauthenticate" if has_second_factor(user) else "mfa_activate_totp"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bind_request_user(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not lacks_second_factor(user):
            return None
        match = getattr(request, "resolver_match", None)
        url_name = getattr(match, "url_name", None)
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            or view_requires_second_factor(view_func)
            or url_name in PROTECTED_MFA_VIEWS
        ):
            return redirect(second_factor_step_url(user, request.get_full_path()))
        return None


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
PRIVATE_CONTENT_TYPES = (
    "text/calendar",
    "text/csv",
    "application/pdf",
    "application/vnd.openxmlformats",
    "application/json",
)


class PrivateResponseHeadersMiddleware:
    """``Permissions-Policy`` on every answer; ``Cache-Control: private, no-store`` on every answer to a signed-in
    person and on every download (files, exports, calendar feeds), so that no shared cache or back button keeps
    them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or response.has_header("Content-Disposition")
            or getattr(response, "streaming", False)
            or response.get("Content-Type", "").startswith(PRIVATE_CONTENT_TYPES)
        ):
            response["Cache-Control"] = "private, no-store"
        return response
