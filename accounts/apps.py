from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from accounts.proconnect.signin import on_user_logged_in

        from . import signals  # noqa: F401  (the second factor recorded in the session)

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.proconnect.signin")
