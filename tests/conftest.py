"""Test configuration shared by every app.

- The reference data (real COG 2026 geography, the 24 standing bodies, the Srefop referential...) is
  loaded once per test database, then every test runs in a transaction.
- Missing services (PostgreSQL, Redis, Chromium) skip their tests, unless SREFOP_REQUIRE_<SERVICE>=1
  turns the skip into a failure (CI sets them so that nothing is silently skipped).
"""

import io
import os

import pytest
from django.conf import settings
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

pytest_plugins = ["tests.oidc.server"]  # the test OpenID provider's fixtures (ProConnect sign-in tests)


def require_or_skip(service: str, available: bool, why: str):
    if available:
        return
    if os.environ.get(f"SREFOP_REQUIRE_{service.upper()}") == "1":
        pytest.fail(f"{service} est requis (SREFOP_REQUIRE_{service.upper()}=1) mais indisponible : {why}")
    pytest.skip(f"{service} indisponible : {why}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.usefixtures("postgres_required"))


@pytest.fixture(scope="session", autouse=True)
def _require_postgres_when_asked():
    if os.environ.get("SREFOP_REQUIRE_POSTGRES") == "1" and not settings.USING_POSTGRES:
        pytest.fail("SREFOP_REQUIRE_POSTGRES=1 mais DATABASE_URL ne désigne pas PostgreSQL.")


@pytest.fixture
def postgres_required():
    require_or_skip("postgres", settings.USING_POSTGRES, "la base de test n'est pas PostgreSQL")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "var").mkdir()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def role_user(db):
    """Factory: role_user("staff") → a user holding that role (see tests/roles.py)."""
    from tests.roles import make_role_user

    created = {}

    def make(role: str, **kwargs):
        if role not in created:
            created[role] = make_role_user(role, **kwargs)
        return created[role]

    return make


@pytest.fixture
def client_for(client, role_user):
    """client_for("member") → a test client signed in as that role (anonymous: not signed in). A staff role's session
    passed the second factor ("staff_password_only" / "staff_no_factor": signed in with a password only)."""
    from django.test import Client

    from tests.second_factor import UNVERIFIED_ROLES, sign_in

    def make(role: str):
        c = Client()
        if role != "anonymous":
            # Staff roles: a session that passed the second factor, except the roles made to test its absence.
            sign_in(c, role_user(role), second_factor=role not in UNVERIFIED_ROLES)
        return c

    return make


@pytest.fixture
def staff_user(role_user):
    return role_user("staff")


@pytest.fixture
def staff_client(client_for):
    return client_for("staff")
