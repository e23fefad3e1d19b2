"""allauth's second-factor login stage, skipped when ProConnect vouched for a multi-factor sign-in."""

from allauth.mfa.stages import AuthenticateStage

from .signin import used_mfa


class SecondFactorStage(AuthenticateStage):
    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if used_mfa(sociallogin):
            return False
        return super()._should_handle(request)
