"""Model permissions only for staff accounts (accounts/backends.py): a member's refused rule costs no query, and a
model permission given by mistake to a member's account grants nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_refused_rule_costs_no_query_for_a_member():
    member = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        assert not member.has_perm("offer.import_dispositifs")
        assert not member.has_perm("offer.manage_sessions")
    assert len(queries) == 0


def test_a_model_permission_given_to_a_member_grants_nothing():
    member = UserFactory()
    member.user_permissions.add(Permission.objects.get(codename="change_user"))
    assert not member.has_perm("accounts.change_user")


def test_staff_keep_their_model_permissions():
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="change_user"))
    backend_permissions = staff.get_all_permissions()
    assert "accounts.change_user" in backend_permissions
