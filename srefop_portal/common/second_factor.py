"""The second factor is a property of the *session*, not of the account.

A session "passed the second factor" when, in this session, the person completed the portal's TOTP step, used a
recovery code, enrolled a TOTP device, or signed in through an identity provider that vouched for a multi-factor
method (ProConnect ``amr`` containing ``mfa``). Staff and superuser powers are granted only to such a session.

This module is the one place that records and reads that fact:
- ``mark_session_verified(request, method=...)`` after a successful second factor (called by the MFA step — see
  ``accounts/signals.py`` — and by the identity-provider sign-in);
- ``session_verified(request)`` to read it;
- ``has_staff_powers(user)``: what every staff check asks (permission predicates, ``for_user`` scopes, job access,
  navigation). ``SecondFactorMiddleware`` sets on ``request.user``, for the request, whether its session is verified
  (``bind_request_user``); a staff account whose session is not verified then has exactly the powers of a plain
  signed-in user. Outside a request (Celery tasks, management commands) there is no session: the account's roles
  apply, the action having been authorised by the request that queued it.

The flag names the account that passed it: a session later used by another account does not carry it over. A new
sign-in of another account flushes the session (Django), and signing out flushes it too.
"""

from __future__ import annotations

import time

SESSION_KEY = "srefop_second_factor"
# Request-scoped attribute set on request.user by SecondFactorMiddleware (and at sign-in): True / False.
USER_ATTRIBUTE = "_srefop_session_second_factor"


def is_staff_account(user) -> bool:
    """The account holds staff roles (Cariforef team, Django admin access or superuser), whatever its session."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            getattr(user, "is_cariforef_staff", False)
            or getattr(user, "is_superuser", False)
            or getattr(user, "is_staff", False)
        )
    )


def mark_session_verified(request, *, method: str, user=None) -> None:
    """Record that this session completed a second factor (``method``: "totp", "recovery_codes", "proconnect"...).

    ``user``: the account that passed it, when the session is not signed in yet (during the sign-in flow); by
    default ``request.user``.
    """
    account = user if user is not None else getattr(request, "user", None)
    user_id = account.pk if account is not None and account.is_authenticated else None
    request.session[SESSION_KEY] = {"method": method, "at": int(time.time()), "user": user_id}
    if account is not None and account.is_authenticated:
        setattr(account, USER_ATTRIBUTE, True)
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated and request_user.pk == user_id:
        setattr(request_user, USER_ATTRIBUTE, True)


def session_verified(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    value = session.get(SESSION_KEY)
    if not value:
        return False
    owner = value.get("user")
    if owner is not None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or str(user.pk) != str(owner):
            return False
    return True


def session_method(request) -> str | None:
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    return value.get("method") if value else None


def bind_request_user(request, user=None) -> None:
    """Tell ``user`` (default ``request.user``) whether this request's session passed the second factor."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        setattr(user, USER_ATTRIBUTE, session_verified(request))


def has_staff_powers(user) -> bool:
    """Staff or superuser powers: a staff account, and — in a request — a session that passed the second factor."""
    if not (is_staff_account(user) and (user.is_cariforef_staff or user.is_superuser)):
        return False
    return bool(getattr(user, USER_ATTRIBUTE, True))


def lacks_second_factor(user) -> bool:
    """A staff account used by a session that has not passed the second factor (it acts as a plain user)."""
    return is_staff_account(user) and not has_staff_powers(user)
