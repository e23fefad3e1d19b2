"""Sign-in limits that an attacker cannot turn against others (issue #13): per client address — read from
X-Forwarded-For only for the configured number of trusted proxies — and per account *and* address."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2026"
PROXY = "10.0.0.2"  # the reverse proxy: every request reaches gunicorn from it


@pytest.fixture
def behind_one_proxy(settings):
    settings.SREFOP_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def attempt(client, email, password, client_address, spoofed=""):
    """A sign-in through the proxy, which appends the address it saw to X-Forwarded-For."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_of_one_client_do_not_lock_another_client_out(behind_one_proxy, client, django_user_model):
    from django.test import Client

    victim = UserFactory(email="victime@exemple.fr")
    attacker = Client()
    for i in range(8):
        attempt(attacker, victim.email, f"faux-{i}", "203.0.113.5")
    assert not signed_in(attacker)
    # The attacker's own address is now refused for this account, even with the right password…
    assert "tentatives" in attempt(attacker, victim.email, PASSWORD, "203.0.113.5").content.decode()
    # …but the victim, behind the same proxy from another address, signs in.
    response = attempt(client, victim.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302 and signed_in(client)


def test_the_client_address_cannot_be_chosen_by_the_client(behind_one_proxy):
    """Only the address appended by the trusted proxy counts: a forged first entry changes nothing."""
    from django.test import Client

    UserFactory(email="cible@exemple.fr")
    attacker = Client()
    for i in range(5):
        attempt(attacker, "cible@exemple.fr", f"faux-{i}", "203.0.113.5", spoofed=f"192.0.2.{i}")
    response = attempt(attacker, "cible@exemple.fr", PASSWORD, "203.0.113.5", spoofed="192.0.2.99")
    assert "tentatives" in response.content.decode() and not signed_in(attacker)


def test_one_address_is_limited_across_accounts(behind_one_proxy, client):
    from django.test import Client

    UserFactory(email="autre@exemple.fr")
    attacker = Client()
    for i in range(20):
        attempt(attacker, f"personne-{i}@exemple.fr", "faux", "203.0.113.5")
    response = attempt(attacker, "autre@exemple.fr", PASSWORD, "203.0.113.5")
    assert "tentatives" in response.content.decode() and not signed_in(attacker)
    response = attempt(client, "autre@exemple.fr", PASSWORD, "198.51.100.7")
    assert signed_in(client)


def test_an_account_is_limited_across_addresses(behind_one_proxy, settings):
    """A brute force spread over many addresses meets the per-account limit (generous: 50 an hour by default)."""
    from django.test import Client

    settings.SREFOP_LOGIN_FAILED_ACCOUNT_RATE = "6/h/key"
    UserFactory(email="cible@exemple.fr")
    for i in range(6):
        attempt(Client(), "cible@exemple.fr", "faux", f"203.0.113.{i + 1}")
    response = attempt(Client(), "cible@exemple.fr", "faux", "203.0.113.100")
    assert "tentatives" in response.content.decode()


def test_without_trusted_proxies_the_header_is_ignored(client):
    """SREFOP_TRUSTED_PROXY_COUNT=0 (direct clients): X-Forwarded-For is not trusted; the limit is per connection."""
    UserFactory(email="cible@exemple.fr")
    for i in range(5):
        client.post(
            reverse("account_login"),
            {"login": "cible@exemple.fr", "password": "faux"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": "cible@exemple.fr", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert "tentatives" in response.content.decode() and not signed_in(client)


def test_password_reset_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "20/m/ip,3/m/key"}
    UserFactory(email="cible@exemple.fr")
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "cible@exemple.fr"}).status_code for _ in range(4)
    ]
    assert statuses[:3] == [302, 302, 302] and statuses[3] == 429


def test_the_admin_has_no_login_form_of_its_own(client):
    """Every sign-in goes through the portal's limited form: /admin/login/ only redirects there."""
    UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "admin@exemple.fr", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)
