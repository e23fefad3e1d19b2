"""Where allauth tells the portal that a session passed its second factor (see srefop_portal/common/second_factor).

- ``authenticator_used``: the TOTP step at sign-in, the TOTP step asked later by a staff page (reauthentication),
  or a recovery code.
- a TOTP device saved during a request of its owner (enrolment completed in this session, proving possession of the
  new device). allauth's ``authenticator_added`` comes only after commit, once the session may already be saved.
- ``user_logged_in``: the signed-in account learns, for the rest of that request, whether its session is verified.
"""

from allauth.account.signals import user_logged_in
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_used
from django.db.models.signals import post_save
from django.dispatch import receiver

from srefop_portal.common.second_factor import bind_request_user, mark_session_verified


@receiver(authenticator_used, dispatch_uid="srefop_second_factor_used")
def second_factor_used(sender, request, user, authenticator, **kwargs):
    if request is not None:
        mark_session_verified(request, method=authenticator.type, user=user)


@receiver(post_save, sender=Authenticator, dispatch_uid="srefop_second_factor_enrolled")
def second_factor_enrolled(sender, instance, created, **kwargs):
    request = getattr(context, "request", None)
    user = getattr(request, "user", None)
    if (
        created
        and instance.type == Authenticator.Type.TOTP
        and user is not None
        and user.is_authenticated
        and user.pk == instance.user_id
    ):
        mark_session_verified(request, method="totp", user=user)


@receiver(user_logged_in, dispatch_uid="srefop_second_factor_bind_at_login")
def bind_signed_in_user(sender, request, user, **kwargs):
    bind_request_user(request, user)
