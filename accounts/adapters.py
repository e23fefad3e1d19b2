from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from srefop_portal.common import notifications


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return getattr(settings, "SREFOP_OPEN_SIGNUP", True)

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (confirmation, password reset...) go through the portal's outbox like every other."""
        site = urlsplit(settings.SITE_URL)
        context.setdefault("current_site", SimpleNamespace(name="Portail Srefop", domain=site.netloc))
        message = self.render_mail(template_prefix, email, context)
        notifications.queue_email(message, kind=f"allauth.{template_prefix.rsplit('/', 1)[-1]}")
