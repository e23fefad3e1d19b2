"""Base settings, driven by environment variables.

With no variable set, the portal runs on embedded defaults: SQLite in ``var/``,
Celery tasks run inline, e-mails printed on the console.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SREFOP_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links (e-mails, iCal, open data). Unset: the address `make run HOST=… PORT=…` serves (the Makefile exports
# SREFOP_HOST / SREFOP_PORT); in production an unset SITE_URL is a system check error (srefop.E011).
SITE_URL_FROM_ENVIRONMENT = bool(os.environ.get("SITE_URL"))
SITE_URL = (
    os.environ.get("SITE_URL")
    or f"http://{os.environ.get('SREFOP_HOST') or '127.0.0.1'}:{os.environ.get('SREFOP_PORT') or '8000'}"
).rstrip("/")

# Demonstration mode: demo accounts and data may be loaded, the banner says so.
DEMO_MODE = env_bool("SREFOP_DEMO_MODE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",  # ProConnect (accounts/proconnect replaces its provider)
    "django_htmx",
    "dsfr",
    "widget_tweaks",
    "simple_history",
    "srefop_portal.common",
    "accounts",
    "territories",
    "clefop",
    "offer",
    "roadmaps",
    "reperes",
    "veille",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "srefop_portal.common.middleware.AuthenticationMiddleware",  # Django's, the account read from the cache
    "srefop_portal.common.middleware.PrivateResponseHeadersMiddleware",
    "srefop_portal.common.htmx.HtmxLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "srefop_portal.common.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "srefop_portal.urls"
WSGI_APPLICATION = "srefop_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "srefop_portal.context_processors.portal",
            ],
            "builtins": ["srefop_portal.common.templatetags.portal_tags"],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CSRF_FAILURE_VIEW = "srefop_portal.views.csrf_failure"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.StaffModelBackend",  # model permissions for staff accounts only (accounts/backends.py)
    "accounts.backends.StaffAllauthBackend",  # allauth's sign-in by e-mail, the same model permissions
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portail Srefop] "
# Rate limits (see accounts/adapters.py): per client address, per account and address ("key"), per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
SREFOP_LOGIN_FAILED_ACCOUNT_RATE = os.environ.get("SREFOP_LOGIN_FAILED_ACCOUNT_RATE", "50/h/key")
# The client address of rate limits: REMOTE_ADDR, or — behind N reverse proxies that each append to
# X-Forwarded-For — the N-th address from the right. Never trust the header without proxies in front.
_proxy_count = os.environ.get("SREFOP_TRUSTED_PROXY_COUNT", "").strip()
SREFOP_TRUSTED_PROXY_COUNT = int(_proxy_count) if _proxy_count.isdigit() else 0  # anything else: srefop.E010
ALLAUTH_TRUSTED_PROXY_COUNT = SREFOP_TRUSTED_PROXY_COUNT
# Sign-up: closed by default (actors join by invitation); SREFOP_OPEN_SIGNUP=1 opens it (demo: open by default).
SREFOP_OPEN_SIGNUP = env_bool("SREFOP_OPEN_SIGNUP", DEMO_MODE)
# The sign-up form never says whether an address has an account: verification is mandatory (also in demo mode),
# and an existing address receives an e-mail instead of an error.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# ProConnect (accounts/proconnect): absent from the pages unless domain, client id and secret are all set.
PROCONNECT_DOMAIN = os.environ.get("PROCONNECT_DOMAIN", "").strip().strip("/")
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_ALGORITHM = os.environ.get("PROCONNECT_ALGORITHM", "RS256")  # as registered: RS256 or ES256
if PROCONNECT_ALGORITHM not in ("RS256", "ES256"):
    raise ImproperlyConfigured("PROCONNECT_ALGORITHM doit valoir RS256 ou ES256.")
# Plain http towards a loopback provider only (tests, development); never in production.
PROCONNECT_ALLOW_HTTP = env_bool("PROCONNECT_ALLOW_HTTP", False)
PROCONNECT_TIMEOUT = float(os.environ.get("PROCONNECT_TIMEOUT", "10"))
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "accounts.forms.SocialSignupForm"}  # DSFR, like the other allauth forms
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"provider_class": "accounts.proconnect.provider.ProConnectProvider"}}
SOCIALACCOUNT_REQUESTS_TIMEOUT = PROCONNECT_TIMEOUT
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # reconciliation by e-mail is the portal's (SocialAccountAdapter)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth's forms, rendered with the DSFR (accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
}
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MfaReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "deactivate_totp": "accounts.forms.DeactivateTOTPForm",
    "generate_recovery_codes": "accounts.forms.GenerateRecoveryCodesForm",
}
MFA_TOTP_ISSUER = "Portail Srefop"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"  # never served directly: documents go through permission-checked views
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
SREFOP_DOCUMENT_MAX_BYTES = int(os.environ.get("SREFOP_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
SREFOP_EXPORT_RETENTION_DAYS = int(os.environ.get("SREFOP_EXPORT_RETENTION_DAYS", "30"))
# Monthly territory progress reports e-mailed to each Clefop's co-chairs (roadmaps.tasks.send_monthly_reports).
SREFOP_MONTHLY_REPORTS = env_bool("SREFOP_MONTHLY_REPORTS", False)
# Veille: feed collection limits; a source is disabled after this many failures in a row (staff are told).
SREFOP_VEILLE_MAX_FAILURES = int(os.environ.get("SREFOP_VEILLE_MAX_FAILURES", "5"))
SREFOP_VEILLE_TIMEOUT = float(os.environ.get("SREFOP_VEILLE_TIMEOUT", "20"))
SREFOP_VEILLE_MAX_BYTES = int(os.environ.get("SREFOP_VEILLE_MAX_BYTES", 5 * 1024 * 1024))

# Cache and Celery: Redis when REDIS_URL is set, embedded otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, keeping its client (see srefop_portal/common/cache.py).
            "BACKEND": "srefop_portal.common.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "srefop"),
        }
    }
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
    # Sessions read from Redis (shared by every process), written through to the database: no session query per
    # request. Only with a shared cache: a per-process cache could keep serving a session ended elsewhere.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "srefop",
        }
    }
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30 * 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "veille-fetch-daily": {"task": "veille.tasks.fetch_all_sources", "schedule": crontab(hour=6, minute=0)},
    "veille-digests-daily": {"task": "veille.tasks.send_digests", "schedule": crontab(hour=7, minute=30)},
    "clefop-minutes-reminders": {"task": "clefop.tasks.remind_missing_minutes", "schedule": crontab(hour=8, minute=0)},
    "offer-session-reminders": {"task": "offer.tasks.send_session_reminders", "schedule": crontab(hour=9, minute=0)},
    "offer-dispositif-reviews-monthly": {
        "task": "offer.tasks.send_dispositif_review_reminders",
        "schedule": crontab(hour=8, minute=30, day_of_month=1),
    },
    "roadmaps-overdue-weekly": {
        "task": "roadmaps.tasks.send_overdue_action_emails",
        "schedule": crontab(hour=8, minute=0, day_of_week=1),
    },
    "roadmaps-monthly-reports": {
        "task": "roadmaps.tasks.send_monthly_reports",
        "schedule": crontab(hour=7, minute=0, day_of_month=1),
    },
    "jobs-requeue-stale": {"task": "srefop_portal.common.tasks.requeue_stale_jobs", "schedule": 30.0},
    "mail-flush-outbox": {"task": "srefop_portal.common.tasks.flush_outbox", "schedule": 60.0},
    "jobs-expire-files": {"task": "srefop_portal.common.tasks.expire_job_files", "schedule": crontab(hour=3, minute=0)},
}

# E-mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portail Srefop <ne-pas-repondre@srefop.example.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# Outbox (srefop_portal/common/notifications.py): first retry after this many seconds, ×3 each time, then failed.
SREFOP_MAIL_RETRY_BASE = float(os.environ.get("SREFOP_MAIL_RETRY_BASE", "60"))
SREFOP_MAIL_MAX_ATTEMPTS = int(os.environ.get("SREFOP_MAIL_MAX_ATTEMPTS", "6"))

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): no inline script or style.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # Chrome applies form-action to every redirect after a form: ProConnect is reached through a page
        # (account/proconnect_leave.html), never straight from a form.
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each layout step at INFO: noise in the worker's log; its warnings stay.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY doit être défini hors mode développement.")
