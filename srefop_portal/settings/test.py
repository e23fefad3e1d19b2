"""Test settings: strict templates, fast hashing, inline tasks unless REDIS is asked for."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_DEBUG", "0")

from .base import *  # noqa: E402,F403
from .base import TEMPLATES  # noqa: E402


class InvalidTemplateVariable(str):
    """Fail loudly on an undefined template variable (as les-emplois does)."""

    def __mod__(self, other):
        import inspect

        from django.template.base import TemplateSyntaxError

        # Third-party templates (allauth, django-dsfr, admin) rely on undefined variables: only the
        # project's own templates are held to the strict rule.
        for frame_info in inspect.stack()[1:40]:
            context = frame_info.frame.f_locals.get("context")
            render_context = getattr(context, "render_context", None)
            template = getattr(render_context, "template", None) or getattr(context, "template", None)
            origin = getattr(getattr(template, "origin", None), "name", "") or ""
            if origin:
                if "site-packages" in origin:
                    return ""
                break
        raise TemplateSyntaxError(f"Variable de gabarit inconnue : {other!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
DEBUG = False
DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real worker started by a test may be given a real SMTP server on loopback (tests/common/test_worker.py).
EMAIL_BACKEND = os.environ.get("SREFOP_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") != "0"
# A real worker started by a test listens to a queue of its own (tests/common/test_worker.py).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("SREFOP_TEST_CELERY_QUEUE", "celery")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "test-media"))  # noqa: F405
SREFOP_MAP_CACHE_DIR = VAR_DIR / "test-cache"  # noqa: F405
ACCOUNT_RATE_LIMITS = {"login_failed": "20/5m/ip,5/5m/key"}
SREFOP_LOGIN_FAILED_ACCOUNT_RATE = "50/h/key"
SREFOP_OPEN_SIGNUP = False
SREFOP_TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
