"""ProConnect's configuration, from the settings (themselves from the environment: see README « ProConnect »)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ALGORITHMS = ("RS256", "ES256")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SCOPES = ["openid", "given_name", "usual_name", "email", "uid", "siret", "idp_id"]


@dataclass(frozen=True)
class ProConnectConfig:
    domain: str
    client_id: str
    secret: str
    algorithm: str
    scheme: str

    @property
    def issuer_base(self) -> str:
        return f"{self.scheme}://{self.domain}/api/v2"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer_base}/.well-known/openid-configuration"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.domain}"


def get_config() -> ProConnectConfig | None:
    """The configuration, or None when ProConnect is not configured (then it is absent from every page)."""
    domain = (getattr(settings, "PROCONNECT_DOMAIN", "") or "").strip().strip("/")
    client_id = getattr(settings, "PROCONNECT_CLIENT_ID", "") or ""
    secret = getattr(settings, "PROCONNECT_CLIENT_SECRET", "") or ""
    if not (domain and client_id and secret):
        return None
    algorithm = getattr(settings, "PROCONNECT_ALGORITHM", "RS256") or "RS256"
    if algorithm not in ALGORITHMS:
        return None
    scheme = "https"
    # Plain http only towards a loopback provider, and only when asked (tests, development).
    if getattr(settings, "PROCONNECT_ALLOW_HTTP", False) and urlsplit(f"//{domain}").hostname in LOOPBACK_HOSTS:
        scheme = "http"
    return ProConnectConfig(domain=domain, client_id=client_id, secret=secret, algorithm=algorithm, scheme=scheme)
