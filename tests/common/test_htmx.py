"""In-place (HTMX) requests: an expired session answers 401 + HX-Redirect to sign in (back to the page, not to
the fragment); a refusal is a message to swap, not a whole page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from srefop_portal.views import error_403
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/instances/nantes/feuille-de-route/?onglet=2"}


def test_expired_session_htmx_request_is_sent_to_sign_in(client):
    url = reverse("accounts:profile")
    response = client.post(url, headers=HTMX)
    assert response.status_code == 401
    assert response["HX-Redirect"] == (
        reverse("account_login") + "?next=/instances/nantes/feuille-de-route/%3Fonglet%3D2"
    )
    assert "session a expiré" in response.content.decode()


def test_expired_session_htmx_request_from_another_site_comes_back_to_the_fragment_url(client):
    url = reverse("accounts:profile")
    response = client.get(url, headers={"HX-Request": "true", "HX-Current-URL": "https://ailleurs.example/x"})
    assert response.status_code == 401 and response["HX-Redirect"].endswith("?next=" + url)


def test_plain_request_keeps_the_redirect(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_refusal_to_an_htmx_request_is_a_fragment():
    request = RequestFactory().post("/x/", headers={"HX-Request": "true"})
    response = error_403(request, PermissionDenied())
    page = response.content.decode()
    assert response.status_code == 403 and "<html" not in page and "fr-alert--error" in page
    assert "n’avez pas les droits" in page


def test_outdated_csrf_token_answers_a_message(client):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    response = strict.post(reverse("accounts:profile"), {"first_name": "x"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 403 and "<html" not in page and "La page a expiré" in page
    response = strict.post(reverse("accounts:profile"), {"first_name": "x"})
    assert response.status_code == 403 and "La page a expiré" in response.content.decode()
