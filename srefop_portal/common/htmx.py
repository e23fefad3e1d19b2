"""HTMX requests and the login requirement.

An HTMX request whose session has expired must not swap the sign-in page into a fragment of the page: the
login-required path answers 401 with an ``HX-Redirect`` to the sign-in page, which brings the person back to the
page they were on (``HX-Current-URL``) once signed in. Plain requests keep Django's redirect.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def page_path(request) -> str:
    """The page the person is on: for HTMX the page that made the request, not the fragment's URL."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def sign_in_response(request, login_url=None, redirect_field_name: str = "next") -> HttpResponse:
    """401 with HX-Redirect to the sign-in page (for an HTMX request), the page as the place to come back to."""
    target = redirect_to_login(page_path(request), resolve_url(login_url or settings.LOGIN_URL), redirect_field_name)
    response = HttpResponse("Votre session a expiré : reconnectez-vous.", status=401, content_type="text/plain")
    response["HX-Redirect"] = target["Location"]
    return response


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, answering HTMX requests with 401 + HX-Redirect."""

    def handle_no_permission(self, request, view_func):
        if not is_htmx(request):
            return super().handle_no_permission(request, view_func)
        return sign_in_response(request, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
