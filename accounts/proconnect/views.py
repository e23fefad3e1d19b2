"""ProConnect's sign-in and callback views (allauth's OAuth2 views with ProConnect's checks), the return from the
ProConnect logout, and the French error page every failure ends on."""

from __future__ import annotations

import hmac
import logging
import secrets

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from . import client
from .client import ProConnectError
from .config import get_config

logger = logging.getLogger(__name__)

ID_TOKEN_SESSION_KEY = "proconnect_id_token"
END_SESSION_SESSION_KEY = "proconnect_end_session_endpoint"
LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"
LOGOUT_URL_SESSION_KEY = "proconnect_logout_url"

# What the agent reads, by kind of failure. Every one offers the password sign-in (template).
REASONS = {
    "cancelled": "La connexion avec ProConnect a été interrompue : vous avez refusé ou annulé l’identification.",
    "state": (
        "Cette demande de connexion n’a pas pu être vérifiée : elle a expiré, a déjà servi ou a été ouverte dans un "
        "autre navigateur."
    ),
    "nonce": "La réponse de ProConnect ne correspond pas à cette demande de connexion : elle a été refusée.",
    "bad_signature": "La signature de la réponse de ProConnect n’a pas pu être vérifiée : elle a été refusée.",
    "invalid_token": "La réponse de ProConnect a expiré ou n’est pas valide : elle a été refusée.",
    "token": (
        "Le code de connexion transmis par ProConnect a expiré ou a déjà servi (il n’est valable que 30 secondes)."
    ),
    "unavailable": "ProConnect ne répond pas pour le moment.",
    "invalid_response": "ProConnect a envoyé une réponse incomplète ou illisible.",
    "no_email": "ProConnect n’a pas transmis d’adresse électronique professionnelle : le compte ne peut être trouvé.",
    "unknown_account": (
        "Aucun compte du portail n’est associé à l’adresse {email}, et le portail n’accepte pas de nouvelles "
        "inscriptions. Demandez une invitation à l’animateur·rice de votre instance."
    ),
    "logout_state": (
        "Le retour de la déconnexion ProConnect n’a pas pu être vérifié. Vous êtes bien déconnecté·e du portail."
    ),
    "unknown": "La connexion avec ProConnect a échoué.",
}
STATUS = {"unavailable": 503, "unknown_account": 403}


def error_page(request: HttpRequest, reason: str, *, exception: Exception | None = None, **params):
    """The French DSFR page a failed ProConnect sign-in ends on: what happened, and the password sign-in."""
    if reason not in REASONS:
        reason = "unknown"
    logger.warning("ProConnect : échec de connexion (%s) : %s", reason, exception or "")
    return render(
        request,
        "account/proconnect_error.html",
        {"reason": reason, "message": REASONS[reason].format(**params), "retry": reason not in {"unknown_account"}},
        status=STATUS.get(reason, 400),
    )


def leave_page(request: HttpRequest, url: str, *, title: str):
    """The page between a form and ProConnect (see account/proconnect_leave.html): form-action stays 'self'."""
    return render(request, "account/proconnect_leave.html", {"url": url, "title": title})


def reason_for(error, exception, extra_context) -> str:
    if error == AuthError.CANCELLED:
        return "cancelled"
    if isinstance(exception, ProConnectError):
        return exception.reason
    if exception is None and ("state_id" in (extra_context or {}) or (extra_context or {}).get("state") is None):
        return "state"
    if isinstance(exception, OAuth2Error):
        return "token"  # the token endpoint refused the code
    if exception is not None and exception.__class__.__module__.startswith("requests"):
        return "unavailable"
    return "unknown"


class ProConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    basic_auth = False  # ProConnect: client_secret_post
    state: dict | None = None

    @property
    def config(self):
        config = get_config()
        if config is None:
            raise SocialApp.DoesNotExist
        return config

    @property
    def openid_config(self):
        if not hasattr(self, "_openid_config"):
            discovery = client.fetch_discovery(self.config)
            if discovery["issuer"].rstrip("/") != self.config.issuer_base:
                raise ProConnectError(
                    f"Émetteur inattendu : {discovery['issuer']} (attendu {self.config.issuer_base})",
                    reason="unavailable",
                )
            self._openid_config = discovery
        return self._openid_config

    @property
    def jwks(self) -> dict:
        if not hasattr(self, "_jwks"):
            self._jwks = client.fetch_jwks(self.openid_config["jwks_uri"])
        return self._jwks

    def _verify(self, token: str, **kwargs) -> dict:
        return client.verify_jwt(
            token,
            jwks=self.jwks,
            algorithm=self.config.algorithm,
            issuer=self.openid_config["issuer"],
            audience=self.config.client_id,
            **kwargs,
        )

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        response = kwargs["response"]
        id_token = response.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise ProConnectError("Réponse du jeton sans id_token", reason="invalid_response")
        # Always verified, with the algorithm registered for the service (allauth skips it over TLS).
        claims = self._verify(id_token, require=("exp", "iat", "sub", "nonce"))
        expected_nonce = (self.state or {}).get("nonce") or ""
        if not expected_nonce or not hmac.compare_digest(str(claims["nonce"]), expected_nonce):
            raise ProConnectError("nonce différent de celui de la demande", reason="nonce")
        userinfo = client.fetch_userinfo(
            self.profile_url,
            token.token,
            jwks=self.jwks,
            algorithm=self.config.algorithm,
            issuer=self.openid_config["issuer"],
            audience=self.config.client_id,
        )
        if userinfo.get("sub") != claims["sub"]:
            raise ProConnectError("sub différent entre id_token et userinfo", reason="invalid_response")
        if not (userinfo.get("email") or "").strip():
            raise ProConnectError("userinfo sans e-mail", reason="no_email")
        # Kept with the login (serialised with it if a second step follows) for the logout: id_token_hint and the
        # end-session endpoint (no call to ProConnect is needed to sign out).
        self.state["id_token"] = id_token
        self.state["end_session_endpoint"] = self.openid_config.get("end_session_endpoint") or ""
        return self.get_provider().sociallogin_from_response(request, {"userinfo": userinfo, "id_token": claims})


class ProConnectCallbackView(OAuth2CallbackView):
    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ProConnectError as exc:  # raised outside allauth's own error handling (e.g. discovery for the client)
            return error_page(request, exc.reason, exception=exc)

    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state  # the stashed state (with the nonce), consumed here: checked in complete_login
        return state, response


@login_not_required
def login(request: HttpRequest, provider_id):
    try:
        return OAuth2LoginView.adapter_view(ProConnectOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request: HttpRequest, provider_id):
    try:
        return ProConnectCallbackView.adapter_view(ProConnectOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def end_session_url(request: HttpRequest) -> str | None:
    """Where to send the browser to end the ProConnect session too, when this session was opened with ProConnect.

    Remembers the logout ``state`` on the request: ``AccountAdapter.logout`` keeps it in the new anonymous session,
    checked by ``logout_return``. None when the session was not opened with ProConnect (local logout only).
    """
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    endpoint = request.session.get(END_SESSION_SESSION_KEY)
    if not id_token or not endpoint or get_config() is None:
        return None
    state = secrets.token_urlsafe(32)
    request._proconnect_logout_state = state
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("proconnect_logout_return")),
    }
    return f"{endpoint}?{urlencode(params)}"


@login_not_required
def logout_leave(request: HttpRequest):
    """After the portal's logout (a form): the page that takes the browser on to ProConnect's end_session."""
    url = request.session.pop(LOGOUT_URL_SESSION_KEY, None)
    if not url:
        return redirect("home")
    return leave_page(request, url, title="Déconnexion de ProConnect")


@login_not_required
def logout_return(request: HttpRequest):
    """ProConnect sends the browser back here after ending its session, with the ``state`` given on the way out."""
    expected = request.session.pop(LOGOUT_STATE_SESSION_KEY, "")
    received = request.GET.get("state", "")
    if not expected or not hmac.compare_digest(received, expected):
        return error_page(request, "logout_state")
    messages.success(request, "Vous êtes déconnecté·e du portail et de ProConnect.")
    return redirect("home")
