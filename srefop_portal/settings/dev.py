"""Local development and demonstration: `make run` uses these settings."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("SREFOP_DEMO_MODE", "1")

from .base import *  # noqa: E402,F403
from .base import env_bool  # noqa: E402

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("SREFOP_DEMO_MODE", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
SREFOP_OPEN_SIGNUP = env_bool("SREFOP_OPEN_SIGNUP", DEMO_MODE)

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
