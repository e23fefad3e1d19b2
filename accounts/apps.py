from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = ("demo.load_demo",)

    def ready(self):
        from allauth.account.signals import user_logged_in

        from accounts.proconnect.signin import on_user_logged_in

        from . import signals  # noqa: F401  (the second factor recorded in the session)

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.proconnect.signin")

        from . import checks  # noqa: F401  (registers the personal-data check)
