"""Sign in with ProConnect, against a real OpenID provider on loopback (tests/oidc/provider.mjs).

The browser's front channel is played with ``requests`` (provider side) and Django's test client (portal side);
the portal's back channel (discovery, token, JWKS, userinfo as a signed JWT) reaches the provider for real.
"""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from srefop_portal.common.second_factor import session_method, session_verified
from tests.accounts.factories import StaffFactory, UserFactory
from tests.oidc.server import (
    ACCOUNTS,
    CLIENT_EXPIRED_CODE,
    CLIENT_ROGUE_USERINFO,
    authorize,
    configure,
    leave_url,
    local,
    replace_query,
    sign_in_at_provider,
)

pytestmark = pytest.mark.django_db


def sign_in(client, account):
    callback = sign_in_at_provider(authorize(client), account)
    return client.get(local(callback))


def assert_error_page(response, text, status=400):
    assert response.status_code == status
    html = response.content.decode()
    assert "Connexion avec ProConnect impossible" in html
    assert text in html
    assert "Se connecter avec un mot de passe" in html
    assert SESSION_KEY not in response.wsgi_request.session


# --- configuration and the button ------------------------------------------------------------------------------


def test_absent_from_login_page_when_not_configured(client, settings):
    settings.PROCONNECT_DOMAIN = ""
    html = client.get("/compte/login/").content.decode()
    assert "ProConnect" not in html
    assert client.post("/compte/oidc/proconnect/login/").status_code == 404


def test_login_page_shows_the_official_button(client, proconnect):
    html = client.get("/compte/login/").content.decode()
    assert 'class="fr-connect"' in html
    assert "S’identifier avec" in html and "ProConnect</span>" in html
    assert "Qu’est-ce que ProConnect ?" in html
    assert 'action="/compte/oidc/proconnect/login/' in html


def test_authorization_request_follows_proconnect(client, proconnect):
    url = authorize(client)
    assert url.startswith(f"{proconnect.issuer}/auth?")
    from urllib.parse import parse_qs, urlsplit

    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert set(params) == {"client_id", "redirect_uri", "scope", "response_type", "state", "nonce", "claims"}
    assert set(params["scope"].split()) == {"openid", "given_name", "usual_name", "email", "uid", "siret", "idp_id"}
    assert params["claims"] == '{"id_token":{"amr":{"essential":true}}}'
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/compte/oidc/proconnect/login/callback/"


def test_http_provider_refused_unless_loopback_and_allowed(settings):
    from accounts.proconnect.config import get_config

    settings.PROCONNECT_DOMAIN = "proconnect.example.fr"
    settings.PROCONNECT_CLIENT_ID = "id"
    settings.PROCONNECT_CLIENT_SECRET = "secret"
    settings.PROCONNECT_ALLOW_HTTP = True
    assert get_config().discovery_url == "https://proconnect.example.fr/api/v2/.well-known/openid-configuration"
    settings.PROCONNECT_DOMAIN = "127.0.0.1:9121"
    assert get_config().scheme == "http"
    settings.PROCONNECT_ALLOW_HTTP = False
    assert get_config().scheme == "https"


# --- reconciliation by e-mail ----------------------------------------------------------------------------------


def test_existing_member_signs_in_keeps_positions_and_names_are_updated(client, proconnect):
    from tests.clefop.factories import MembershipFactory, clefop

    user = UserFactory(email=ACCOUNTS["membre"]["email"], first_name="Ancien", last_name="Nom")
    body = clefop("44-NAN")
    MembershipFactory(user=user, body=body)
    response = sign_in(client, "membre")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Camille", "Agent-Membre")
    assert user.memberships.filter(body=body).exists()
    assert not user.is_cariforef_staff
    assert client.get("/").status_code == 200
    # What ProConnect sent is part of the personal data the agent can download.
    export = client.get("/profil/mes-donnees/").json()["compte"]["connexions_proconnect"]
    assert export[0]["identifiant"] == user.email and export[0]["donnees"]["userinfo"]["siret"]


def test_unknown_agent_becomes_plain_actor_when_signup_is_open(client, proconnect, settings):
    from clefop.models import Organisation

    settings.SREFOP_OPEN_SIGNUP = True
    Organisation.objects.create(name="DREETS Pays de la Loire", kind="ddets", siren="130025265")
    response = sign_in(client, "inconnu")
    assert response.status_code == 302
    user = User.objects.get(email=ACCOUNTS["inconnu"]["email"])
    assert client.session[SESSION_KEY] == str(user.pk)
    assert not (user.is_cariforef_staff or user.is_staff or user.is_superuser)
    assert not user.memberships.exists()
    assert not user.has_usable_password()
    assert user.organisation_name == "DREETS Pays de la Loire"  # suggested from the SIRET
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def test_unknown_agent_refused_when_signup_is_closed(client, proconnect, settings):
    settings.SREFOP_OPEN_SIGNUP = False
    response = sign_in(client, "inconnu")
    assert_error_page(response, "Aucun compte du portail n’est associé", status=403)
    assert not User.objects.filter(email=ACCOUNTS["inconnu"]["email"]).exists()


def test_pending_invitation_lets_the_agent_in_and_gives_its_position(client, proconnect, settings):
    from clefop.services.invitations import invite
    from tests.clefop.factories import clefop

    settings.SREFOP_OPEN_SIGNUP = False
    body = clefop("44-NAN")
    inviter = StaffFactory()
    invite(body=body, email=ACCOUNTS["invite"]["email"], position="member", invited_by=inviter, request=None)
    response = sign_in(client, "invite")
    assert response.status_code == 302
    user = User.objects.get(email=ACCOUNTS["invite"]["email"])
    assert user.memberships.filter(body=body, position="member").exists()
    assert not user.is_cariforef_staff


# --- second factor ---------------------------------------------------------------------------------------------


def test_staff_with_mfa_amr_has_the_session_second_factor(client, proconnect):
    staff = StaffFactory(email=ACCOUNTS["staff-mfa"]["email"])
    assert Authenticator.objects.filter(user=staff, type="totp").exists()
    response = sign_in(client, "staff-mfa")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(staff.pk)
    request = response.wsgi_request
    assert session_verified(request) and session_method(request) == "proconnect"
    assert client.get("/gestion/").status_code == 200


def test_staff_without_mfa_amr_is_asked_for_the_totp(client, proconnect):
    staff = StaffFactory(email=ACCOUNTS["staff-pwd"]["email"])
    response = sign_in(client, "staff-pwd")
    assert response.status_code == 302 and response["Location"] == "/compte/2fa/authenticate/"
    assert SESSION_KEY not in client.session
    assert not session_verified(response.wsgi_request)
    page = client.get("/compte/2fa/authenticate/")
    assert page.status_code == 200
    assert staff.pk  # the TOTP step completes the sign-in (allauth's own, tested in tests/accounts)


# --- failures: French page, no session -------------------------------------------------------------------------


def test_refused_consent(client, proconnect):
    import requests

    url = authorize(client)
    session = requests.Session()
    interaction = session.get(url, allow_redirects=False, timeout=10).headers["Location"]
    response = session.post(f"http://{proconnect.domain}{interaction}/abort", allow_redirects=False, timeout=10)
    callback = session.get(response.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    assert "error=access_denied" in callback
    assert_error_page(client.get(local(callback)), "vous avez refusé ou annulé")


def test_state_mismatch(client, proconnect):
    UserFactory(email=ACCOUNTS["membre"]["email"])
    callback = sign_in_at_provider(authorize(client), "membre")
    tampered = replace_query(callback, state="x" * 43)
    assert_error_page(client.get(local(tampered)), "n’a pas pu être vérifiée")


def test_callback_replayed_in_another_browser(client, proconnect, client_for):
    from django.test import Client

    UserFactory(email=ACCOUNTS["membre"]["email"])
    callback = sign_in_at_provider(authorize(client), "membre")
    assert_error_page(Client().get(local(callback)), "n’a pas pu être vérifiée")


def test_nonce_mismatch(client, proconnect):
    UserFactory(email=ACCOUNTS["membre"]["email"])
    url = replace_query(authorize(client), nonce="n" * 43)
    callback = sign_in_at_provider(url, "membre")
    assert_error_page(client.get(local(callback)), "ne correspond pas à cette demande")


def test_userinfo_signed_by_another_key(client, settings, oidc_providers):
    configure(settings, oidc_providers("http://testserver"), client_id=CLIENT_ROGUE_USERINFO)
    UserFactory(email=ACCOUNTS["membre"]["email"])
    response = sign_in(client, "membre")
    assert_error_page(response, "La signature de la réponse de ProConnect")


def test_id_token_signed_with_another_algorithm_than_registered(client, proconnect, settings):
    settings.PROCONNECT_ALGORITHM = "ES256"  # the provider signs in RS256
    UserFactory(email=ACCOUNTS["membre"]["email"])
    assert_error_page(sign_in(client, "membre"), "La signature de la réponse de ProConnect")


def test_expired_code(client, settings, oidc_providers):
    configure(settings, oidc_providers("http://testserver"), client_id=CLIENT_EXPIRED_CODE)
    UserFactory(email=ACCOUNTS["membre"]["email"])
    callback = sign_in_at_provider(authorize(client), "membre")
    time.sleep(2.2)  # this client's codes live 1 s (ProConnect: 30 s)
    assert_error_page(client.get(local(callback)), "a expiré ou a déjà servi")


def test_provider_not_answering(client, settings):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.PROCONNECT_DOMAIN = f"127.0.0.1:{port}"
    settings.PROCONNECT_CLIENT_ID = "srefop"
    settings.PROCONNECT_CLIENT_SECRET = "secret"
    settings.PROCONNECT_ALLOW_HTTP = True
    response = client.post("/compte/oidc/proconnect/login/")
    assert_error_page(response, "ProConnect ne répond pas", status=503)


def test_provider_down_at_callback(client, proconnect, settings):
    UserFactory(email=ACCOUNTS["membre"]["email"])
    callback = sign_in_at_provider(authorize(client), "membre")
    settings.PROCONNECT_DOMAIN = "127.0.0.1:1"  # the token exchange finds nobody
    assert_error_page(client.get(local(callback)), "ProConnect ne répond pas", status=503)


# --- logout ----------------------------------------------------------------------------------------------------


def test_logout_goes_through_end_session_and_checks_state(client, proconnect):
    from urllib.parse import parse_qs, urlsplit

    UserFactory(email=ACCOUNTS["membre"]["email"])
    sign_in(client, "membre")
    response = client.post("/compte/logout/")
    assert response.status_code == 302 and response["Location"] == "/compte/proconnect/sortie/"
    assert SESSION_KEY not in client.session
    url = leave_url(client.get("/compte/proconnect/sortie/"))
    assert client.get("/compte/proconnect/sortie/")["Location"] == "/"  # shown once
    assert url.startswith(f"{proconnect.issuer}/session/end?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["post_logout_redirect_uri"] == "http://testserver/compte/proconnect/deconnexion/"
    assert params["id_token_hint"].count(".") == 2 and len(params["state"]) >= 32
    assert SESSION_KEY not in client.session
    bad = client.get("/compte/proconnect/deconnexion/?state=autre")
    assert bad.status_code == 400 and "n’a pas pu être vérifié" in bad.content.decode()
    # The state is single-use: a good return after a bad one is refused too; a fresh logout works.
    sign_in(client, "membre")
    client.post("/compte/logout/")
    url = leave_url(client.get("/compte/proconnect/sortie/"))
    state = parse_qs(urlsplit(url).query)["state"][0]
    back = client.get(f"/compte/proconnect/deconnexion/?state={state}", follow=True)
    assert "Vous êtes déconnecté·e du portail et de ProConnect." in back.content.decode()


def test_password_session_logout_stays_local(client, proconnect):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/compte/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
