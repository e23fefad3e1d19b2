"""Staff powers need a session that passed the second factor (see ``second_factor``).

``SecondFactorMiddleware`` runs on every request:
- it tells ``request.user`` whether this session passed the second factor: the staff predicates, ``for_user``
  scopes and job access read it through ``has_staff_powers``, so a staff account signed in with a password only
  has exactly the powers of a plain signed-in user;
- staff-only paths (the Django admin, ``/gestion/``, views marked ``requires_second_factor``, and the pages that
  remove or reveal a second factor) send such a session to the second-factor step — or to enrolment when the
  account has no factor yet — and come back afterwards.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from . import versions
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


def session_user(request):
    """``django.contrib.auth.get_user`` reading the account from the cache until an account changes (the data
    version of the accounts app: a password, an e-mail, a role, a deactivation), instead of one query per request.

    Only the plain case is served from the cache: a session naming a known backend and an active account whose
    session hash matches with the current secret key. Anything else (no session, an unknown backend, an inactive
    or deleted account, a hash to check against the fallback keys, a session to end) goes through Django's own
    ``get_user``, which decides as before."""
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
        session_hash = request.session.get(auth.HASH_SESSION_KEY)
    except KeyError:
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return auth.get_user(request)

    def build():
        return auth.load_backend(backend_path).get_user(user_id) or False  # False: not kept for the request below

    user = versions.cached("accounts:session-user", apps=("accounts",), vary=(str(user_id), backend_path), build=build)
    if not user or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return auth.get_user(request)
    return user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the signed-in account read through ``session_user`` (one query less per request)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))
