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

import secrets
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit as ratelimit_impl
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.proconnect import PROVIDER_ID
from accounts.proconnect import signin as proconnect_signin
from accounts.proconnect import views as proconnect_views
from accounts.proconnect.config import get_config
from srefop_portal.common import notifications


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages in the portal's French (its catalogue has straight apostrophes and, for a wrong current
    # password, asks to « indiquer » it).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "Ce compte n’est pas actif.",
        "cannot_remove_primary_email": "L’adresse principale ne peut pas être retirée : rendez-en une autre principale "
        "d’abord.",
        "duplicate_email": "Cette adresse est déjà liée à votre compte.",
        "email_password_mismatch": "L’adresse électronique ou le mot de passe est incorrect.",
        "email_taken": "Un compte utilise déjà cette adresse électronique.",
        "enter_current_password": "Mot de passe actuel incorrect.",
        "incorrect_code": "Code incorrect.",
        "incorrect_password": "Mot de passe incorrect.",
        "invalid_or_expired_key": "Ce lien n’est pas valable ou a expiré.",
        "invalid_password_reset": "Ce lien de réinitialisation n’est pas valable.",
        "max_email_addresses": "Vous ne pouvez pas lier plus de %d adresses électroniques à votre compte.",
        "too_many_login_attempts": "Trop de tentatives de connexion échouées : réessayez plus tard.",
        "unknown_email": "Aucun compte n’utilise cette adresse électronique.",
        "unverified_primary_email": "Votre adresse principale doit être vérifiée.",
        "select_only_one": "Choisissez une seule adresse.",
        "same_as_current": "La nouvelle valeur doit être différente de l’actuelle.",
        "rate_limited": "Trop de demandes en peu de temps : patientez un instant avant de réessayer.",
    }

    def is_open_for_signup(self, request):
        return bool(getattr(settings, "SREFOP_OPEN_SIGNUP", False))

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (confirmation, password reset...) go through the portal's outbox like every other."""
        site = urlsplit(settings.SITE_URL)
        context.setdefault("current_site", SimpleNamespace(name="Portail Srefop", domain=site.netloc))
        context.setdefault("email", email)
        message = self.render_mail(template_prefix, email, context)
        notifications.queue_email(message, kind=f"allauth.{template_prefix.rsplit('/', 1)[-1]}")

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

    def get_login_stages(self):
        # The second-factor stage knows that a ProConnect sign-in with `amr` "mfa" already was a second factor.
        return [
            "accounts.proconnect.stages.SecondFactorStage" if path == "allauth.mfa.stages.AuthenticateStage" else path
            for path in super().get_login_stages()
        ]

    def get_logout_redirect_url(self, request):
        # A session opened with ProConnect ends there too: through a page of the portal (proconnect_leave.html),
        # then ProConnect's end_session_endpoint, which sends the browser back to logout_return.
        url = proconnect_views.end_session_url(request)
        if url is None:
            return super().get_logout_redirect_url(request)
        request._proconnect_logout_url = url
        return reverse("proconnect_logout_leave")

    def logout(self, request):
        state = getattr(request, "_proconnect_logout_state", None)
        url = getattr(request, "_proconnect_logout_url", None)
        super().logout(request)
        if state and url:  # kept in the new, anonymous session
            request.session[proconnect_views.LOGOUT_STATE_SESSION_KEY] = state
            request.session[proconnect_views.LOGOUT_URL_SESSION_KEY] = url


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """ProConnect is the only identity provider; its app comes from the settings (``PROCONNECT_*``)."""

    def list_apps(self, request, provider=None, client_id=None):
        from allauth.socialaccount.models import SocialApp

        config = get_config()
        if config is None or provider not in (None, "openid_connect", PROVIDER_ID):
            return []
        if client_id and client_id != config.client_id:
            return []
        return [
            SocialApp(
                provider="openid_connect",
                provider_id=PROVIDER_ID,
                name="ProConnect",
                client_id=config.client_id,
                secret=config.secret,
                settings={"server_url": config.discovery_url},
            )
        ]

    def generate_state_param(self, state: dict) -> str:
        return secrets.token_urlsafe(32)  # 43 characters: ProConnect asks for at least 32

    def is_open_for_signup(self, request, sociallogin):
        if getattr(settings, "SREFOP_OPEN_SIGNUP", True):
            return True
        return proconnect_signin.invitation_pending_for(sociallogin.user.email)

    def pre_social_login(self, request, sociallogin):
        """Reconcile the agent by their verified professional e-mail (never by ``sub``)."""
        email = (sociallogin.user.email or "").strip().lower()
        if not email:
            raise ImmediateHttpResponse(proconnect_views.error_page(request, "no_email"))
        if sociallogin.is_existing:
            return
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is not None:
            proconnect_signin.link_account(request=request, sociallogin=sociallogin, user=user)
        elif not self.is_open_for_signup(request, sociallogin):
            raise ImmediateHttpResponse(proconnect_views.error_page(request, "unknown_account", email=email))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        reason = proconnect_views.reason_for(error, exception, extra_context)
        raise ImmediateHttpResponse(proconnect_views.error_page(request, reason, exception=exception))
