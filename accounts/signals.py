"""Where allauth tells the portal that a session passed its second factor (see srefop_portal/common/second_factor).

- ``authenticator_used``: the TOTP step at sign-in, the TOTP step asked later by a staff page (reauthentication),
  or a recovery code.
- ``authenticator_added`` (TOTP): enrolment completed in this session, proving possession of the new device.
- ``user_logged_in``: the signed-in account learns, for the rest of that request, whether its session is verified.
"""

from allauth.account.signals import user_logged_in
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_used
from django.dispatch import receiver

from srefop_portal.common.second_factor import bind_request_user, mark_session_verified


@receiver(authenticator_used, dispatch_uid="srefop_second_factor_used")
def second_factor_used(sender, request, user, authenticator, **kwargs):
    if request is not None:
        mark_session_verified(request, method=authenticator.type, user=user)


@receiver(authenticator_added, dispatch_uid="srefop_second_factor_added")
def second_factor_enrolled(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        mark_session_verified(request, method="totp", user=user)


@receiver(user_logged_in, dispatch_uid="srefop_second_factor_bind_at_login")
def bind_signed_in_user(sender, request, user, **kwargs):
    bind_request_user(request, user)
