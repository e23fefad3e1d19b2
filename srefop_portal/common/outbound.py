"""Server-side fetches of URLs given by people (veille feeds...): only to the public internet.

Every outbound HTTP request of the portal goes through ``open_url`` / ``fetch``:
- http and https only;
- the host name is resolved here, and EVERY address it resolves to is checked against the refused ranges
  (loopback, private, link-local, shared, reserved, multicast, unspecified, IPv6 ULA / loopback / site-local, IPv4
  mapped or translated into IPv6…) at connection time; the socket then connects to that checked address (no second
  resolution that a DNS rebinding could change);
- each redirect is a new connection, checked the same way (and only to http/https), at most ``max_redirects``;
- a time limit per socket operation and for the whole read, and a size limit.

A refused address raises ``RefusedDestination`` (a ``FetchRefused`` with a French message), before any byte is sent.
``check_url(url)`` runs the same checks without fetching, for form validation.

``SREFOP_OUTBOUND_ALLOWED_ADDRESSES`` ("127.0.0.1:8111,…", empty by default) lets exact address:port pairs through
— for a test server on loopback, never in production (a deploy check refuses it).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings


class FetchRefused(Exception):
    """The URL may not be fetched; the message (French) can be shown to the person who gave it."""


class RefusedDestination(FetchRefused):
    """The host is, or resolves to, an address that is not on the public internet."""


class UnknownHost(FetchRefused):
    """The host name does not resolve (now)."""


_EXTRA_REFUSED = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "fc00::/7",  # unique local
        "fec0::/10",  # site-local (deprecated)
        "64:ff9b::/96",  # NAT64 (embeds an IPv4 address)
        "64:ff9b:1::/48",
        "2002::/16",  # 6to4 (embeds an IPv4 address)
        "2001::/32",  # Teredo
    )
]


def refused_reason(address: str) -> str | None:
    """Why an IP address may not be reached (French), or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "adresse IP illisible"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return refused_reason(str(ip.ipv4_mapped)) or None
    if ip.is_loopback:
        return "adresse de bouclage (la machine du portail elle-même)"
    if ip.is_link_local:
        return "adresse locale au lien (dont les métadonnées des hébergeurs)"
    if ip.is_private or any(ip in net for net in _EXTRA_REFUSED if net.version == ip.version):
        return "adresse d’un réseau privé"
    if ip.is_multicast:
        return "adresse de multidiffusion"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "adresse réservée"
    return None


def _allowed_exceptions() -> set[tuple[str, int]]:
    pairs = set()
    for item in getattr(settings, "SREFOP_OUTBOUND_ALLOWED_ADDRESSES", []) or []:
        host, _, port = str(item).rpartition(":")
        if host and port.isdigit():
            pairs.add((str(ipaddress.ip_address(host.strip("[]"))), int(port)))
    return pairs


def resolve_checked(host: str, port: int) -> list[tuple]:
    """getaddrinfo results for host:port, all of them allowed — or RefusedDestination."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnknownHost(f"Nom de serveur introuvable : « {host[:200]} ».") from exc
    if not infos:
        raise UnknownHost(f"Nom de serveur introuvable : « {host[:200]} ».")
    allowed = _allowed_exceptions()
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = sockaddr[0]
        if (str(ipaddress.ip_address(address.split("%", 1)[0])), port) in allowed:
            continue
        reason = refused_reason(address)
        if reason:
            raise RefusedDestination(
                f"Adresse refusée : « {host[:200]} » désigne {address} ({reason}). "
                "Le portail ne collecte que des serveurs publics d’internet."
            )
    return infos


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    error = None
    for family, type_, proto, _canon, sockaddr in resolve_checked(host, port):
        sock = socket.socket(family, type_, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"connexion impossible à {host}:{port}")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = _connect(self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self):
        super().__init__(context=ssl.create_default_context())

    def https_open(self, req):
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, max_redirects: int):
        super().__init__()
        self.max_redirections = max_redirects

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location:  # scheme and form; the address is checked when connecting
            check_url(urllib.parse.urljoin(req.full_url, location), resolve=False)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def check_url(url: str, *, resolve: bool = True) -> str:
    """Refuse (FetchRefused) what may not be fetched: another scheme, credentials, no host; with ``resolve``, a host
    that resolves to a refused address. Returns the URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused("Adresse illisible.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchRefused("L’adresse doit commencer par http:// ou https://.")
    if not parts.hostname:
        raise FetchRefused("L’adresse ne désigne aucun serveur.")
    if parts.username or parts.password:
        raise FetchRefused("L’adresse ne doit pas contenir d’identifiant ni de mot de passe.")
    if resolve:
        resolve_checked(parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80))
    return url


@dataclass
class Fetched:
    status: int
    content: bytes
    headers: object
    final_url: str


def open_url(url: str, *, headers: dict | None = None, timeout: float = 20, max_redirects: int = 5):
    """The response of a checked request (urllib's; HTTPError for 4xx/5xx, as urllib raises)."""
    check_url(url, resolve=False)
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _CheckedRedirects(max_redirects),
        _CheckedHTTPHandler(),
        _CheckedHTTPSHandler(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (scheme checked)
    try:
        return opener.open(request, timeout=timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FetchRefused):
            raise exc.reason from exc
        raise


def read_limited(response, *, max_bytes: int, deadline: float) -> bytes:
    """The body, refused past ``max_bytes`` or past ``deadline`` (time.monotonic())."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"Document trop volumineux ({int(declared) // 1024} Ko, limite {max_bytes // 1024} Ko).")
    chunks, size = [], 0
    while True:
        chunk = response.read(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"Document trop volumineux (plus de {max_bytes // 1024} Ko).")
        if time.monotonic() > deadline:
            raise FetchRefused("Délai dépassé pendant la lecture.")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, headers=None, timeout: float = 20, max_bytes: int = 5 * 1024 * 1024, max_redirects: int = 5):
    """GET ``url`` within the limits: a ``Fetched`` (status, content, headers, final URL)."""
    deadline = time.monotonic() + timeout * 2
    with open_url(url, headers=headers, timeout=timeout, max_redirects=max_redirects) as response:
        content = read_limited(response, max_bytes=max_bytes, deadline=deadline)
        return Fetched(status=response.status, content=content, headers=response.headers, final_url=response.geturl())
