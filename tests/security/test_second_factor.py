"""The second factor belongs to the session: a staff account signed in with a password only has the powers of a plain
signed-in user, on every URL of the permission matrices, or is sent to the second-factor step (issue #13)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reperes.models import Sheet
from reperes.sheets import build_sheet
from srefop_portal.common.second_factor import SESSION_KEY, has_staff_powers
from territories.models import Territory
from tests.accounts.factories import StaffFactory, UserFactory
from tests.clefop import test_permissions as clefop_matrix
from tests.clefop.conftest import nantes, workspace  # noqa: F401  (fixtures of the clefop matrix)
from tests.offer import test_permissions as offer_matrix
from tests.offer.test_permissions import offer  # noqa: F401  (fixture of the offer matrix)
from tests.reperes import test_permissions as reperes_matrix
from tests.roadmaps import test_permissions as roadmaps_matrix
from tests.roadmaps import test_reports_permissions as reports_matrix
from tests.second_factor import pass_second_factor
from tests.territories import test_permissions as territories_matrix
from tests.veille import test_permissions as veille_matrix

pytestmark = pytest.mark.django_db

UNVERIFIED = {"staff_password_only": "/compte/2fa/reauthenticate/", "staff_no_factor": "/compte/2fa/totp/activate/"}


def _plain(expectations):
    return expectations.get("user")


def _cases():
    """(matrix, method, url name, kwargs resolver, the plain user's status or None when the matrix does not say)."""
    rows = []
    for module in (territories_matrix, reperes_matrix, roadmaps_matrix, reports_matrix, veille_matrix):
        for name, kwargs, expectations in getattr(module, "CASES", []):
            rows.append((module.__name__, "get", name, kwargs, _plain(expectations)))
        for name, kwargs, expectations in getattr(module, "POST_CASES", []):
            rows.append((module.__name__, "post", name, kwargs, _plain(expectations)))
    for name, kwargs in veille_matrix.POST_ONLY:
        rows.append((veille_matrix.__name__, "post", name, kwargs, 404))
    for name, kwargs, expectations in clefop_matrix.GET_CASES:
        rows.append(("workspace", "get", name, kwargs, _plain(expectations)))
    for name, kwargs, expectations in clefop_matrix.POST_CASES:
        rows.append(("workspace", "post", name, kwargs, _plain(expectations)))
    for name, spec, expectations in offer_matrix.GET_CASES:
        rows.append(("offer", "get", name, spec, _plain(expectations)))
    for name, spec, expectations in offer_matrix.POST_CASES:
        rows.append(("offer", "post", name, spec, _plain(expectations)))
    return [
        pytest.param(source, method, name, kwargs, plain, role, id=f"{method}-{name}-{i}-{role}")
        for i, (source, method, name, kwargs, plain) in enumerate(rows)
        for role in UNVERIFIED
    ]


def _url(request, source, name, kwargs):
    if source == "workspace":
        return reverse(name, kwargs=kwargs(request.getfixturevalue("workspace")))
    if source == "offer":
        objects = request.getfixturevalue("offer")
        return reverse(name, kwargs={key: objects[value] for key, value in kwargs.items()})
    if source == reperes_matrix.__name__:  # its module's autouse fixture: the sheets of Nantes
        territory = Territory.objects.get(code="44-NAN")
        for audience in Sheet.Audience.values:
            build_sheet(territory, audience)
    return reverse(name, kwargs=kwargs() if callable(kwargs) else kwargs)


def _consume(response):
    """Read a file download to its end: the test client then closes it. (Closing a response again would send
    request_finished, which closes the database connection in the middle of the test's transaction.)"""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


@pytest.mark.parametrize(("source", "method", "url_name", "kwargs", "plain", "role"), _cases())
def test_password_only_staff_session_has_a_plain_users_powers(
    request, client_for, source, method, url_name, kwargs, plain, role
):
    url = _url(request, source, url_name, kwargs)
    if plain is None:  # the matrix does not list a plain user for this URL: ask one
        response = client_for("user").get(url) if method == "get" else None
        plain = response.status_code if response is not None else 404
        if response is not None:
            _consume(response)
    response = getattr(client_for(role), method)(url)
    _consume(response)
    if response.status_code == 302 and response["Location"].startswith(UNVERIFIED[role]):
        return  # sent to the second-factor step (or to enrol one), then back
    assert response.status_code == plain, f"{role} {method.upper()} {url}: {response.status_code} ≠ {plain} (user)"


def _sign_in_with_password(client, email, password="mot-de-passe-solide-2026"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_django_admin_login_goes_through_the_portal_sign_in(client):
    StaffFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")) and "next=%2Fadmin%2F" in response["Location"]
    # Posting the admin's form with the password alone signs nobody in.
    response = client.post("/admin/login/?next=/admin/", {"username": "admin@exemple.fr", "password": "x"})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_password_only_sign_in_of_a_staff_account_with_totp_stops_at_the_totp_step(client):
    StaffFactory(email="equipe@exemple.fr", is_staff=True, is_superuser=True)
    response = _sign_in_with_password(client, "equipe@exemple.fr")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    for path in ("/admin/", "/gestion/", reverse("clefop:directory_export")):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith((reverse("account_login"), reverse("mfa_authenticate"))), path
        assert "_auth_user_id" not in client.session


def test_the_totp_step_verifies_the_session_and_opens_the_admin(client):
    from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

    from accounts.demo import DEMO_STAFF_TOTP_SECRET

    StaffFactory(email="equipe@exemple.fr", is_staff=True, is_superuser=True)
    _sign_in_with_password(client, "equipe@exemple.fr")
    code = f"{hotp_value(DEMO_STAFF_TOTP_SECRET, next(yield_hotp_counters_from_time()))}".zfill(6)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert client.session[SESSION_KEY]["method"] == "totp"
    assert client.get("/admin/").status_code == 200
    assert client.get("/gestion/").status_code == 200


def test_a_wrong_totp_code_is_rate_limited_per_account(client):
    StaffFactory(email="equipe@exemple.fr")
    _sign_in_with_password(client, "equipe@exemple.fr")
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert "tentatives" in response.content.decode()


def test_a_staff_session_without_totp_step_is_sent_to_it_and_comes_back(client):
    """A password-only session (e.g. opened before TOTP was enrolled): /gestion/ asks for the TOTP code first."""
    staff = StaffFactory(is_staff=True)
    client.force_login(staff)
    response = client.get("/gestion/annuaire/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=%2Fgestion%2Fannuaire%2F" in response["Location"]
    assert client.get("/admin/").status_code == 302


def test_recovery_code_verifies_the_session(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    staff = StaffFactory()
    codes = RecoveryCodes.activate(staff).generate_codes()
    client.force_login(staff)
    response = client.post(reverse("mfa_reauthenticate") + "?next=/gestion/", {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/gestion/"
    assert client.session[SESSION_KEY]["method"] == "recovery_codes"
    assert client.get("/gestion/").status_code == 200


def test_enrolling_totp_in_this_session_verifies_it(client, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

    staff = StaffFactory(totp=False)
    client.post(reverse("account_login"), {"login": staff.email, "password": "mot-de-passe-solide-2026"})
    assert client.get("/gestion/")["Location"].startswith(reverse("mfa_activate_totp"))
    client.post(reverse("account_reauthenticate"), {"password": "mot-de-passe-solide-2026"})  # allauth asks it first
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time()))}".zfill(6)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert client.get("/gestion/").status_code == 200


def test_password_only_staff_cannot_remove_or_read_the_second_factor(client):
    staff = StaffFactory()
    client.force_login(staff)
    for name in ("mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate")), name


def test_password_only_staff_writes_nothing_as_staff(client_for):
    """The issue's example: another Clefop's action status changed by a password-only staff account."""
    from roadmaps.models import Action
    from tests.roadmaps.factories import roadmap_with

    roadmap = roadmap_with(territory="49-ANG", actions=1)
    action = roadmap.actions.get()
    before = (action.status, action.progress)
    for role in UNVERIFIED:
        url = reverse("roadmaps:action_status", args=[roadmap.body.slug, action.pk])
        response = client_for(role).post(url, {"status": "done", "progress": 100, "version": action.version})
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response["Location"].startswith(UNVERIFIED[role])
    action = Action.objects.get(pk=action.pk)
    assert (action.status, action.progress) == before


def test_superuser_without_verified_session_has_no_permission_shortcut(rf):
    from srefop_portal.common.second_factor import USER_ATTRIBUTE

    admin = StaffFactory(is_superuser=True, is_staff=True)
    assert admin.has_perm("clefop.manage_directory")  # outside a request: the account's roles
    setattr(admin, USER_ATTRIBUTE, False)
    assert not has_staff_powers(admin)
    assert not admin.has_perm("clefop.manage_directory")
    assert not admin.has_perm("accounts.change_user") and not admin.has_module_perms("accounts")
    assert admin.has_perm("accounts.edit_own_profile")  # a plain signed-in user's permission


def test_the_flag_belongs_to_the_account_that_passed_it():
    first, second = StaffFactory(), StaffFactory()
    client = Client()
    client.force_login(first)
    pass_second_factor(client, first)
    assert client.get("/gestion/").status_code == 200
    session = client.session
    session["_auth_user_id"] = str(second.pk)
    session["_auth_user_hash"] = second.get_session_auth_hash()
    session.save()
    assert client.get("/gestion/").status_code == 302


def test_navigation_hides_gestion_until_the_session_passed_the_second_factor(client_for):
    plain_nav = client_for("staff_password_only").get(reverse("home")).content.decode()
    assert not re.search(r'href="/gestion/"', plain_nav)
    assert re.search(r'href="/gestion/"', client_for("staff").get(reverse("home")).content.decode())


def test_plain_user_is_unaffected(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get("/gestion/").status_code == 404
