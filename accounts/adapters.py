"""The portal's allauth adapter: sign-up policy and sign-in rate limits.

Sign-up: closed unless ``SREFOP_OPEN_SIGNUP`` opens it (on by default only in demonstration mode). Actors join by
invitation (an instance's animateur or the Cariforef team invites them; see clefop.services.invitations); the team
creates the other accounts.

Failed sign-ins are limited (``ACCOUNT_RATE_LIMITS["login_failed"]``):
- per client address (``…/ip``), the address being the one seen by the trusted proxies
  (``SREFOP_TRUSTED_PROXY_COUNT`` → ``ALLAUTH_TRUSTED_PROXY_COUNT``);
- per account *and* client address (``…/key``): the key is the account's address together with the client's, so
  failures typed by one client never refuse the right password to another client of the same account;
- per account, from any address (``SREFOP_LOGIN_FAILED_ACCOUNT_RATE``, generous): slows a brute force spread over
  many addresses.
The TOTP step, reauthentication and the password reset have their own limits (allauth, per account and address).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit as ratelimit_impl
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return bool(getattr(settings, "SREFOP_OPEN_SIGNUP", False))

    def _get_login_attempts_cache_key(self, request, **credentials):
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        rate = getattr(settings, "SREFOP_LOGIN_FAILED_ACCOUNT_RATE", "")
        if not rate:
            return
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        usage = ratelimit_impl.consume(
            request=request,
            app="allauth.account",
            action="login_failed_account",
            config={"login_failed_account": rate},
            key=account_key,
        )
        if not usage:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")
        self._login_failed_rl_usage = ratelimit_impl.RateLimitUsage(
            usage=[*self._login_failed_rl_usage.usage, *usage.usage]
        )
