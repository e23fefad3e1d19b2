"""Test helpers: a test client whose session passed the second factor, as a staff member's does after the TOTP step."""

import time

from srefop_portal.common.second_factor import SESSION_KEY, is_staff_account

# Roles of the permission matrices whose session has NOT passed the second factor (see tests/roles.py).
UNVERIFIED_ROLES = {"staff_password_only", "staff_no_factor"}


def pass_second_factor(client, user, *, method: str = "totp") -> None:
    """Record in ``client``'s session (already signed in as ``user``) that it passed the second factor."""
    session = client.session
    session[SESSION_KEY] = {"method": method, "at": int(time.time()), "user": user.pk}
    session.save()


def sign_in(client, user, *, second_factor: bool = True) -> None:
    """``force_login``; for a staff account, with a session that passed the second factor unless told otherwise."""
    client.force_login(user)
    if second_factor and is_staff_account(user):
        pass_second_factor(client, user)
