import json

import pytest
from django.urls import reverse

from accounts.models import User
from srefop_portal.common.models import Notice
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_update(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Léa",
            "last_name": "Bernard",
            "organisation_name": "DDETS 44",
            "job_title": "Cheffe de service",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.organisation_name == "DDETS 44" and user.receive_overdue_emails is False


def test_personal_data_export_contains_what_is_kept(client):
    user = UserFactory(first_name="Léa")
    Notice.objects.create(user=user, message="Rapport prêt")
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["compte"]["email"] == user.email and data["compte"]["prenom"] == "Léa"
    assert data["notifications"][0]["message"] == "Rapport prêt"


def test_delete_account_requires_password_and_confirmation(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "faux", "confirm": "on"})
    assert response.status_code == 400 and "Mot de passe incorrect" in response.content.decode()
    assert User.objects.get(pk=user.pk).is_active
    response = client.post(reverse("accounts:delete"), {"password": "mot-de-passe-solide-2026"})
    assert response.status_code == 400 and User.objects.get(pk=user.pk).is_active
    response = client.post(reverse("accounts:delete"), {"password": "mot-de-passe-solide-2026", "confirm": "on"})
    assert response.status_code == 302
    closed = User.objects.get(pk=user.pk)  # kept, anonymised (see test_personal_data)
    assert not closed.is_active and closed.closed_at


def test_email_login_and_unknown_password_message(client):
    user = UserFactory(email="claire@exemple.fr")
    response = client.post(reverse("account_login"), {"login": "claire@exemple.fr", "password": "mauvais"})
    assert response.status_code == 200
    assert "incorrect" in response.content.decode().lower()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "mot-de-passe-solide-2026"})
    assert response.status_code == 302


def test_login_attempts_are_rate_limited(client):
    UserFactory(email="cible@exemple.fr")
    for i in range(5):
        response = client.post(reverse("account_login"), {"login": "cible@exemple.fr", "password": f"faux-{i}"})
        assert "tentatives" not in response.content.decode()
    # Past the limit, even the right password is refused.
    response = client.post(
        reverse("account_login"), {"login": "cible@exemple.fr", "password": "mot-de-passe-solide-2026"}
    )
    assert response.status_code == 200
    assert "tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signup_requires_email_verification(client, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.SREFOP_OPEN_SIGNUP = True

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "nouvelle@exemple.fr",
                "password1": "une-phrase-de-passe-longue",
                "password2": "une-phrase-de-passe-longue",
            },
        )
    assert response.status_code == 302
    assert "confirm" in response["Location"]
    assert len(mail.outbox) == 1  # through the outbox, like every e-mail
    assert mail.outbox[0].body.startswith("Bonjour,") and "Carif-Oref" in mail.outbox[0].body
