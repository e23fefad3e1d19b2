"""The sign-in pages (issue #16): every allauth page in DSFR with labelled fields, the sign-up link only where
sign-up is open, and a sign-up form that never reveals whether an address has an account (issue #13)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def labelled_dsfr_inputs(html: str) -> bool:
    inputs = re.findall(r'<input[^>]*class="fr-input[^"]*"[^>]*id="([^"]+)"', html)
    return bool(inputs) and all(f'for="{field_id}"' in html for field_id in inputs)


@pytest.mark.parametrize(
    "url_name", ["account_login", "account_reset_password", "account_signup", "account_reset_password_done"]
)
def test_anonymous_pages_are_dsfr(client, settings, url_name):
    settings.SREFOP_OPEN_SIGNUP = True
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<main" in html and "fr-header" in html and "<h1" in html
    if url_name != "account_reset_password_done":
        assert labelled_dsfr_inputs(html), html
        assert "placeholder=" not in html


def test_login_page_offers_sign_up_only_when_open(client, settings):
    settings.SREFOP_OPEN_SIGNUP = False
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in html and "enregistrer" not in html.lower()
    assert "invitation" in html
    closed = client.get(reverse("account_signup")).content.decode()
    assert "Inscription sur invitation" in closed and 'name="password1"' not in closed
    settings.SREFOP_OPEN_SIGNUP = True
    html = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_signup")}"' in html and "Créer un compte" in html


@pytest.mark.parametrize("demo_mode", [False, True])
def test_sign_up_does_not_reveal_an_existing_account(settings, demo_mode, django_capture_on_commit_callbacks):
    settings.SREFOP_OPEN_SIGNUP = True
    settings.DEMO_MODE = demo_mode
    UserFactory(email="deja@exemple.fr")
    data = {"password1": "une-phrase-de-passe-longue", "password2": "une-phrase-de-passe-longue"}
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave through the outbox, after commit
        existing = Client().post(reverse("account_signup"), {"email": "deja@exemple.fr", **data})
        new = Client().post(reverse("account_signup"), {"email": "nouvelle@exemple.fr", **data})
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"]
    body = Client().get(existing["Location"]).content.decode()
    assert "déjà" not in body
    # The owner of the existing address is told by e-mail, not the person typing it.
    assert sorted(message.to[0] for message in mail.outbox) == ["deja@exemple.fr", "nouvelle@exemple.fr"]


def test_totp_pages_are_dsfr(client):
    staff = StaffFactory(email="equipe@exemple.fr")
    client.post(reverse("account_login"), {"login": staff.email, "password": "mot-de-passe-solide-2026"})
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Double authentification" in html and labelled_dsfr_inputs(html)
    assert "Code de vérification" in html
    response = client.post(reverse("mfa_authenticate"), {"code": "123"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_enrolment_and_second_factor_step_pages_are_dsfr(client):
    staff = StaffFactory(totp=False)
    client.force_login(staff)
    client.post(reverse("account_reauthenticate"), {"password": "mot-de-passe-solide-2026"})
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Activer la double authentification" in html and labelled_dsfr_inputs(html)
    assert 'src="data:image/svg+xml;base64,' in html
    other = StaffFactory()
    client.force_login(other)
    html = client.get(reverse("mfa_reauthenticate") + "?next=/gestion/").content.decode()
    assert "Second facteur demandé" in html and labelled_dsfr_inputs(html)


def test_logout_and_password_reset_steps(client, django_capture_on_commit_callbacks):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = UserFactory(email="oubli@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave through the outbox, after commit
        client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})
    assert len(mail.outbox) == 1
    key = default_token_generator.make_token(user)
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    response = client.get(url, follow=True)
    html = response.content.decode()
    assert "Choisir un nouveau mot de passe" in html and labelled_dsfr_inputs(html)
    bad = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "faux-jeton"}))
    assert "Lien non valable" in bad.content.decode()
    client.force_login(user)
    html = client.get(reverse("account_logout")).content.decode()
    assert "Se déconnecter" in html and "<h1" in html
