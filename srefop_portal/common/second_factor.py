"""The second factor is a property of the *session*, not of the account.

A session "passed the second factor" when, in this session, the person completed the portal's TOTP step, used a
recovery code, or signed in through an identity provider that vouched for a multi-factor method (ProConnect
``amr`` containing ``mfa``). Staff and superuser powers are granted only to such a session.

This module is the one place that records and reads that fact:
- ``mark_session_verified(request, method=...)`` after a successful second factor (called by the MFA step and by
  the identity-provider sign-in);
- ``session_verified(request)`` to read it.
The flag lives in the session, which Django rotates at login: a new sign-in starts without it.
"""

from __future__ import annotations

import time

SESSION_KEY = "srefop_second_factor"


def mark_session_verified(request, *, method: str) -> None:
    """Record that this session completed a second factor (``method``: "totp", "recovery_codes", "proconnect"...)."""
    request.session[SESSION_KEY] = {"method": method, "at": int(time.time())}


def session_verified(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    return bool(session.get(SESSION_KEY))


def session_method(request) -> str | None:
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    return value.get("method") if value else None
