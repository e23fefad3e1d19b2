"""ProConnect's back-channel: discovery, keys, and the verification of the signed JWTs it answers.

Every failure raises ``ProConnectError`` (an allauth ``OAuth2Error``): allauth's callback view turns it into the
French error page (``views.error_page``), never a 500.
"""

from __future__ import annotations

import json

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings

from .config import ProConnectConfig


class ProConnectError(OAuth2Error):
    """A ProConnect exchange that failed; ``reason`` is the code of the French explanation (``views.REASONS``)."""

    def __init__(self, message: str, *, reason: str = "invalid_response"):
        super().__init__(message)
        self.reason = reason


def _get(url: str, **kwargs) -> requests.Response:
    timeout = getattr(settings, "PROCONNECT_TIMEOUT", 10)
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise ProConnectError(f"ProConnect injoignable ({url}) : {exc}", reason="unavailable") from exc
    return response


def fetch_discovery(config: ProConnectConfig) -> dict:
    response = _get(config.discovery_url)
    if response.status_code != 200:
        raise ProConnectError(f"Découverte ProConnect : HTTP {response.status_code}", reason="unavailable")
    try:
        data = response.json()
    except ValueError as exc:
        raise ProConnectError("Découverte ProConnect : réponse illisible", reason="unavailable") from exc
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        if not isinstance(data.get(key), str):
            raise ProConnectError(f"Découverte ProConnect : « {key} » absent", reason="unavailable")
    return data


def fetch_jwks(jwks_uri: str) -> dict:
    response = _get(jwks_uri)
    if response.status_code != 200:
        raise ProConnectError(f"Clés ProConnect : HTTP {response.status_code}", reason="unavailable")
    try:
        keys = response.json()["keys"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProConnectError("Clés ProConnect illisibles", reason="unavailable") from exc
    return {"keys": keys}


def verify_jwt(
    token: str, *, jwks: dict, algorithm: str, issuer: str, audience: str, require: tuple[str, ...] = ()
) -> dict:
    """Verify a JWT signed by ProConnect with the algorithm registered for the service, and return its claims.

    The key is the published key named by the token's ``kid`` (any published key of the right type when the token
    names none); a token signed with another algorithm, another key, for another audience or issuer is refused.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ProConnectError(f"Jeton illisible : {exc}", reason="bad_signature") from exc
    if header.get("alg") != algorithm:
        raise ProConnectError(f"Jeton signé en {header.get('alg')} au lieu de {algorithm}", reason="bad_signature")
    kid = header.get("kid")
    candidates = [k for k in jwks["keys"] if kid is None or k.get("kid") == kid]
    candidates = [k for k in candidates if k.get("use", "sig") == "sig" and k.get("alg", algorithm) == algorithm]
    if not candidates:
        raise ProConnectError(f"Aucune clé publiée ne correspond au jeton (kid={kid})", reason="bad_signature")
    last_error: Exception | None = None
    for jwk in candidates:
        try:
            key = jwt.PyJWK.from_json(json.dumps(jwk), algorithm=algorithm)
            return jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=audience,
                issuer=issuer,
                leeway=30,
                options={"require": ["iss", "aud", *require]},
            )
        except jwt.InvalidSignatureError as exc:
            last_error = exc
        except jwt.PyJWTError as exc:
            raise ProConnectError(f"Jeton refusé : {exc}", reason="invalid_token") from exc
    raise ProConnectError(f"Signature du jeton invalide : {last_error}", reason="bad_signature")


def fetch_userinfo(url: str, access_token: str, *, jwks: dict, algorithm: str, issuer: str, audience: str) -> dict:
    """ProConnect answers userinfo as a signed JWT (``application/jwt``): verified like the id_token."""
    response = _get(url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/jwt"})
    if response.status_code != 200:
        raise ProConnectError(f"Informations de l’agent : HTTP {response.status_code}", reason="invalid_response")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/jwt":
        raise ProConnectError(
            f"Informations de l’agent non signées (Content-Type {content_type or 'absent'})", reason="bad_signature"
        )
    return verify_jwt(
        response.text.strip(), jwks=jwks, algorithm=algorithm, issuer=issuer, audience=audience, require=("sub",)
    )
