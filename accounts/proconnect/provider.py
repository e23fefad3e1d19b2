"""The allauth provider for ProConnect: allauth's OpenID Connect provider, made to follow ProConnect's rules."""

from __future__ import annotations

import json
import secrets

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider, _pick_data
from django.http import HttpResponseRedirect

from . import config as proconnect_config
from .views import ProConnectOAuth2Adapter, error_page, leave_page

# ProConnect returns `amr` (the authentication methods, e.g. ["pwd", "mfa"]) only when asked, in the id_token.
CLAIMS_REQUEST = json.dumps({"id_token": {"amr": {"essential": True}}}, separators=(",", ":"))


class ProConnectProvider(OpenIDConnectProvider):
    package = "accounts.proconnect"  # its urls.py, instead of allauth's openid_connect views
    oauth2_adapter_class = ProConnectOAuth2Adapter

    @property
    def server_url(self):
        config = proconnect_config.get_config()
        return config.discovery_url if config else super().server_url

    def get_default_scope(self):
        return list(proconnect_config.SCOPES)

    def get_scope(self):
        return list(proconnect_config.SCOPES)

    def get_scope_from_request(self, request):
        # ProConnect refuses any parameter it does not expect: nothing comes from the query string.
        return self.get_scope()

    def get_auth_params(self):
        return {"claims": CLAIMS_REQUEST}

    def get_auth_params_from_request(self, request, action):
        return self.get_auth_params()

    def get_pkce_params(self) -> dict:
        return {}  # not supported by ProConnect (an extra parameter is a "Bad Request")

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # A nonce of 43 characters (≥ 32, as ProConnect requires), kept in the stashed state and checked in the
        # id_token on return (views.ProConnectOAuth2Adapter.complete_login).
        nonce = secrets.token_urlsafe(32)
        auth_params = {**(kwargs.pop("auth_params", None) or self.get_auth_params()), "nonce": nonce}
        try:
            response = super().redirect(
                request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
            )
        except OAuth2Error as exc:  # discovery failed: ProConnect down or misconfigured
            return error_page(request, getattr(exc, "reason", "unavailable"), exception=exc)
        if isinstance(response, HttpResponseRedirect):
            # The sign-in button is a form: a page in between keeps the CSP's form-action at 'self'.
            return leave_page(request, response["Location"], title="Connexion avec ProConnect")
        return response

    def extract_uid(self, data):
        # `sub` differs for each identity provider an agent may use: the portal knows agents by their professional
        # e-mail address (see signin.py), and keys the SocialAccount by it too.
        return (_pick_data(data).get("email") or "").strip().lower()

    def extract_common_fields(self, data):
        userinfo = data.get("userinfo") or {}
        return {
            "email": (userinfo.get("email") or "").strip().lower(),
            "first_name": (userinfo.get("given_name") or "").strip()[:150],
            "last_name": (userinfo.get("usual_name") or "").strip()[:150],
        }

    def extract_email_addresses(self, data):
        email = ((data.get("userinfo") or {}).get("email") or "").strip().lower()
        # The professional address comes from the agent's identity provider (their administration's directory).
        return [EmailAddress(email=email, verified=True, primary=True)] if email else []


provider_classes = [ProConnectProvider]
