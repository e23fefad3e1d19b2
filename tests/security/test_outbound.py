"""Server-side fetches reach only the public internet (issue #13): loopback, private, IPv6 loopback, a name resolving to
127.0.0.1 and a redirect to a private address are refused before any connection. No test leaves this machine: the
refused addresses are never connected to, and the one server that answers is a local one let through by its exact
address:port (SREFOP_OUTBOUND_ALLOWED_ADDRESSES)."""

import socket

import pytest
from django.urls import reverse

from srefop_portal.common import outbound
from tests.veille.conftest import FeedServer, rss
from veille.models import Source
from veille.services import fetch_source

pytestmark = pytest.mark.django_db

FEED = rss(("Un article", "https://presse.example.fr/a", "Texte.", "Tue, 01 Dec 2026 10:00:00 +0100"))


@pytest.fixture
def server():
    server = FeedServer()
    server.add("/flux.xml", FEED)
    yield server
    server.close()


@pytest.fixture
def allowed(server, settings):
    settings.SREFOP_OUTBOUND_ALLOWED_ADDRESSES = [server.base.removeprefix("http://")]
    return server


@pytest.fixture
def no_connection(monkeypatch):
    """Fails the test if a socket tries to connect anywhere but to the allowed local server."""
    real_connect = socket.socket.connect
    attempts = []

    def connect(sock, address):
        attempts.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/flux.xml",
        "http://127.8.9.10/flux.xml",
        "http://10.0.0.1/flux.xml",
        "http://172.16.5.4/flux.xml",
        "http://192.168.1.1/flux.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0:80/",
        "http://[::1]/flux.xml",
        "http://[::ffff:127.0.0.1]/flux.xml",
        "http://[fd00::1]/flux.xml",
        "http://[fe80::1]/flux.xml",
        "http://224.0.0.1/",
        "http://localhost/flux.xml",
        "http://2130706433/flux.xml",  # 127.0.0.1 written as one number
    ],
)
def test_refused_addresses(url, no_connection):
    with pytest.raises(outbound.RefusedDestination, match="Adresse refusée"):
        outbound.fetch(url, timeout=2)
    assert no_connection == []


def test_a_name_resolving_to_loopback_is_refused(monkeypatch, no_connection):
    real = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "flux.presse-locale.fr":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(outbound.RefusedDestination, match="127.0.0.1"):
        outbound.fetch("http://flux.presse-locale.fr/rss", timeout=2)
    assert no_connection == []


def test_a_local_server_is_refused_unless_let_through(server, settings):
    with pytest.raises(outbound.RefusedDestination):
        outbound.fetch(server.url("/flux.xml"), timeout=2)
    assert server.requests == []
    settings.SREFOP_OUTBOUND_ALLOWED_ADDRESSES = [server.base.removeprefix("http://")]
    assert outbound.fetch(server.url("/flux.xml"), timeout=2).content == FEED
    # The exception is an address AND a port: another port of the same address stays refused.
    with pytest.raises(outbound.RefusedDestination):
        outbound.fetch("http://127.0.0.1:9/", timeout=2)


@pytest.mark.parametrize(
    "target", ["http://10.1.2.3/interne", "http://127.0.0.1:9/admin", "http://[::1]:9/", "http://localhost:9/"]
)
def test_a_redirect_to_a_private_address_is_refused(allowed, target, no_connection):
    allowed.add("/redirige", b"", status=302, headers={"Location": target})
    with pytest.raises(outbound.RefusedDestination):
        outbound.fetch(allowed.url("/redirige"), timeout=2)
    assert len(no_connection) == 1  # the allowed server only, never the redirect's target


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://presse.example.fr/flux"])
def test_a_redirect_to_another_scheme_is_refused(allowed, target):
    allowed.add("/redirige", b"", status=302, headers={"Location": target})
    with pytest.raises(outbound.FetchRefused, match="http:// ou https://"):
        outbound.fetch(allowed.url("/redirige"), timeout=2)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.fr/", "gopher://x.fr/", "http://user:pw@x.fr/"])
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(outbound.FetchRefused):
        outbound.fetch(url, timeout=2)


def test_size_and_redirect_limits(allowed):
    allowed.add("/gros", b"x" * 2048, headers={"Content-Type": "application/rss+xml"})
    with pytest.raises(outbound.FetchRefused, match="trop volumineux"):
        outbound.fetch(allowed.url("/gros"), max_bytes=1024, timeout=2)
    for i in range(4):
        allowed.add(f"/boucle{i}", b"", status=302, headers={"Location": allowed.url(f"/boucle{i + 1}")})
    allowed.add("/boucle4", FEED)
    with pytest.raises(Exception, match="redirect"):
        outbound.fetch(allowed.url("/boucle0"), max_redirects=2, timeout=2)


def test_staff_cannot_save_a_source_on_a_private_address(staff_client):
    url = reverse("veille_staff:source_create")
    for feed_url in ("http://127.0.0.1:8000/flux", "http://[::1]/flux", "http://localhost/flux", "http://10.0.0.2/"):
        response = staff_client.post(url, {"name": "Interne", "kind": "feed", "feed_url": feed_url, "is_active": "on"})
        assert response.status_code == 400
        assert "Adresse refusée" in response.content.decode()
        assert not Source.objects.filter(name="Interne").exists()


def test_collecting_a_refused_source_says_why_and_connects_nowhere(server, no_connection):
    source = Source.objects.create(name="Interne", kind=Source.Kind.FEED, feed_url=server.url("/flux.xml"))
    source = fetch_source(source_id=source.pk)
    assert source.last_fetch_status == Source.FetchStatus.ERROR
    assert "Adresse refusée" in source.last_fetch_message and "serveurs publics" in source.last_fetch_message
    assert no_connection == [] and server.requests == []
    assert not source.items.exists()


def test_collecting_through_the_veille_page_shows_the_refusal(staff_client, server):
    source = Source.objects.create(name="Interne", kind=Source.Kind.FEED, feed_url="http://192.168.0.10/flux.xml")
    response = staff_client.post(reverse("veille_staff:source_fetch", args=[source.pk]), follow=True)
    assert "Adresse refusée" in response.content.decode()
