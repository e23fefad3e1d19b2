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


def recently_authenticated(client, user) -> None:
    """The session signed in with the password and the TOTP code a moment ago (allauth asks again otherwise)."""
    import time

    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp", "reauthenticated": True},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


# The allauth pages a signed-in person reaches from « Mon profil », with their one <title> each.
SIGNED_IN_PAGES = {
    "mfa_index": "Double authentification",
    "mfa_view_recovery_codes": "Codes de secours",
    "mfa_generate_recovery_codes": "Générer de nouveaux codes de secours",
    "mfa_deactivate_totp": "Désactiver l’application d’authentification",
    "account_email": "Adresses électroniques",
    "account_change_password": "Changer de mot de passe",
    "socialaccount_connections": "Connexion par ProConnect",
}


def test_signed_in_allauth_pages_are_dsfr_with_a_title_each(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.second_factor import sign_in

    staff = StaffFactory(email="equipe@exemple.fr")
    RecoveryCodes.activate(staff)
    sign_in(client, staff)
    recently_authenticated(client, staff)
    titles = {}
    for url_name, title in SIGNED_IN_PAGES.items():
        response = client.get(reverse(url_name))
        html = response.content.decode()
        assert response.status_code == 200, (url_name, response.status_code, response.get("Location"))
        assert "fr-header" in html and "fr-breadcrumb" in html and f"<h1>{title}</h1>" in html, url_name
        titles[url_name] = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)
        assert titles[url_name] == f"{title} — Portail Srefop", url_name
        assert "placeholder=" not in html and "{%" not in html, url_name
    assert len(set(titles.values())) == len(titles)
    email = client.get(reverse("account_email")).content.decode()
    assert labelled_dsfr_inputs(email) and 'class="fr-radio-group"' in email and "Principale" in email
    password = client.get(reverse("account_change_password")).content.decode()
    assert labelled_dsfr_inputs(password) and "Mot de passe actuel" in password and "Nouveau mot de passe" in password
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "10 codes utilisables sur 10" in codes.replace("\u00a0", " ")
    overview = client.get(reverse("mfa_index")).content.decode()
    assert "Active" in overview and reverse("mfa_deactivate_totp") in overview
    assert reverse("mfa_generate_recovery_codes") in overview
    # Errors are shown in DSFR beside the field they concern.
    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "faux", "password1": "une-phrase-de-passe-longue", "password2": "une-phrase-de-passe-longue"},
    ).content.decode()
    assert 'aria-invalid="true"' in wrong and "Mot de passe actuel incorrect." in wrong


def test_set_password_page_is_dsfr(client):
    user = UserFactory(email="proconnect@exemple.fr")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    html = client.get(reverse("account_set_password")).content.decode()
    assert re.search(r"<title>\s*Définir un mot de passe — Portail Srefop", html)
    assert labelled_dsfr_inputs(html) and "fr-breadcrumb" in html and "placeholder=" not in html


def test_other_reachable_allauth_pages_are_portal_pages(client):
    for url_name, title in (
        ("account_inactive", "Compte désactivé"),
        ("socialaccount_login_cancelled", "Connexion par ProConnect annulée"),
    ):
        html = client.get(reverse(url_name)).content.decode()
        assert "fr-header" in html and f"<h1>{title}</h1>" in html, url_name
        assert re.search(rf"<title>\s*{title}\s*— Portail Srefop", html), url_name


# allauth templates the portal does not override, and why no one reaches them with its settings.
NOT_REACHABLE = {
    "account/confirm_email_verification_code.html": "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED is off",
    "account/confirm_login_code.html": "ACCOUNT_LOGIN_BY_CODE_ENABLED is off",
    "account/request_login_code.html": "ACCOUNT_LOGIN_BY_CODE_ENABLED is off",
    "account/confirm_password_reset_code.html": "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED is off",
    "account/confirm_phone_verification_code.html": "no phone numbers",
    "account/phone_change.html": "no phone numbers",
    "account/email_change.html": "ACCOUNT_CHANGE_EMAIL is off (the address page manages several)",
    "account/signup_by_passkey.html": "no passkeys",
    "account/verified_email_required.html": "no view uses @verified_email_required",
    "mfa/trust.html": "MFA_TRUST_ENABLED is off",
    "socialaccount/authentication_error.html": "the adapter renders account/proconnect_error.html",
    "socialaccount/login_redirect.html": "the sign-in form posts (no redirect page)",
}


def test_allauth_pages_have_one_title_each():
    """RGAA 8.6: no two of the portal's allauth templates share a <title> (a title given by the view aside)."""
    from pathlib import Path

    from django.conf import settings

    titles = {}
    for template in sorted((Path(settings.BASE_DIR) / "templates").glob("*/**/*.html")):
        name = template.relative_to(Path(settings.BASE_DIR) / "templates").as_posix()
        if not name.startswith(("account/", "mfa/", "socialaccount/")):
            continue
        found = re.search(r"{% block (?:head_)?title %}(.*?){% endblock", template.read_text(), re.S)
        if found and "{{" not in found.group(1):
            title = " ".join(re.sub(r"{%.*?%}", " ", found.group(1)).split())
            titles.setdefault(title, []).append(name)
    assert len(titles) > 20
    assert {title: names for title, names in titles.items() if len(names) > 1} == {}


def test_every_reachable_allauth_page_is_overridden_by_the_portal():
    from pathlib import Path

    import allauth
    from django.conf import settings

    allauth_templates = Path(allauth.__file__).parent / "templates"
    ours = Path(settings.BASE_DIR) / "templates"
    missing = []
    for template in sorted(allauth_templates.glob("*/**/*.html")):
        name = template.relative_to(allauth_templates).as_posix()
        if not name.startswith(("account/", "mfa/", "socialaccount/")):
            continue
        if any(part in name for part in ("/email/", "/messages/", "/snippets/", "/base", "mfa/webauthn/")):
            continue  # e-mail bodies, flash messages, fragments, layouts; no WebAuthn (MFA_SUPPORTED_TYPES)
        if name not in NOT_REACHABLE and not (ours / name).exists():
            missing.append(name)
    assert missing == []
    assert "webauthn" not in settings.MFA_SUPPORTED_TYPES


def test_second_factor_overview_without_any_factor(client):
    member = UserFactory(email="membre@exemple.fr")
    client.force_login(member)
    html = client.get(reverse("mfa_index")).content.decode()
    assert "Inactive" in html and "Aucun code de secours n’a été créé." in html
    assert reverse("mfa_activate_totp") in html and reverse("mfa_generate_recovery_codes") not in html


def test_recovery_codes_file_is_named_and_introduced_in_french(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.second_factor import sign_in

    staff = StaffFactory(email="equipe@exemple.fr")
    codes = RecoveryCodes.activate(staff)
    sign_in(client, staff)
    recently_authenticated(client, staff)
    response = client.get(reverse("mfa_download_recovery_codes"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="codes-de-secours-portail-srefop.txt"'
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("Portail Srefop — codes de secours") and "equipe@exemple.fr" in text
    assert "&" not in text and "&#" not in text  # plain text, not HTML-escaped
    listed = [line for line in text.splitlines() if line in set(codes.get_unused_codes())]
    assert listed == codes.get_unused_codes()
    client.logout()
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 302  # signed in only


def test_removing_an_address_asks_for_a_confirmation_first(client):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="principale@exemple.fr")
    EmailAddress.objects.update_or_create(
        user=user, email="principale@exemple.fr", defaults={"primary": True, "verified": True}
    )
    EmailAddress.objects.create(user=user, email="ancienne@exemple.fr", primary=False, verified=True)
    other = UserFactory(email="autre@exemple.fr")
    EmailAddress.objects.create(user=other, email="secondaire-autre@exemple.fr", primary=False, verified=True)
    client.force_login(user)
    page = client.get(reverse("account_email")).content.decode()
    assert f'formaction="{reverse("accounts:email_remove")}"' in page and "Retirer cette adresse…" in page
    confirm = client.post(reverse("accounts:email_remove"), {"email": "ancienne@exemple.fr"})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Retirer <strong>ancienne@exemple.fr</strong>" in html
    assert re.search(r"<title>\s*Retirer une adresse électronique — Portail Srefop", html)
    assert EmailAddress.objects.filter(email="ancienne@exemple.fr").exists()  # nothing removed yet
    client.post(reverse("account_email"), {"email": "ancienne@exemple.fr", "action_remove": ""})
    assert not EmailAddress.objects.filter(email="ancienne@exemple.fr").exists()
    # The primary address, an address of someone else, nothing chosen: a message, nothing asked nor removed.
    for chosen, message in (
        ("principale@exemple.fr", "est votre adresse principale"),
        ("secondaire-autre@exemple.fr", "Choisissez d’abord l’adresse à retirer."),
        ("", "Choisissez d’abord l’adresse à retirer."),
    ):
        response = client.post(reverse("accounts:email_remove"), {"email": chosen}, follow=True)
        assert message in response.content.decode(), chosen
    assert EmailAddress.objects.filter(email="secondaire-autre@exemple.fr").exists()
    assert client.get(reverse("accounts:email_remove")).status_code == 405
