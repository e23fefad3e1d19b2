import pytest

from tests.matrix import check, expand

pytestmark = pytest.mark.django_db

PUBLIC = {"anonymous": 200, "user": 200, "staff": 200}
STAFF = {"anonymous": 302, "user": 404, "staff": 200}

CASES = [
    ("home", {}, PUBLIC),
    ("territories:list", {}, PUBLIC),
    ("territories:departement", {"code": "44"}, PUBLIC),
    ("territories:detail", {"code": "44-NAN"}, PUBLIC),
    ("territories:composition_edit", {"code": "44-NAN"}, STAFF),
    ("territories:composition_history", {}, STAFF),
    ("territories:composition_import", {}, STAFF),
    ("staff_home", {}, STAFF),
    ("pages:accessibilite", {}, PUBLIC),
    ("pages:mentions_legales", {}, PUBLIC),
    ("pages:donnees_personnelles", {}, PUBLIC),
    ("pages:plan", {}, PUBLIC),
    ("accounts:profile", {}, {"anonymous": 302, "user": 200, "staff": 200}),
    ("account_login", {}, {"anonymous": 200}),
    ("account_signup", {}, {"anonymous": 200}),
    ("account_reset_password", {}, {"anonymous": 200}),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
def test_matrix(client_for, url_name, kwargs, role, expected):
    check(client_for, url_name, kwargs, role, expected)


def test_confirm_import_is_post_only_and_staff_only(client_for):
    check(client_for, "territories:composition_import_confirm", {}, "user", 404, method="post")
    check(client_for, "territories:composition_import_confirm", {}, "anonymous", 302, method="post")


def test_staff_without_second_factor_is_sent_to_set_it_up(client):
    from tests.accounts.factories import StaffFactory

    staff = StaffFactory(totp=False)
    client.force_login(staff)
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert "/compte/2fa/totp/activate/" in response["Location"]
