# syntax=docker/dockerfile:1
#
# Image of the Srefop portal (Django 5.2, Python 3.11).
# One image for the three roles of docker-compose.yml: web (gunicorn),
# worker (celery worker) and beat (celery beat).
#
# Plain HTTP on port 8000: a TLS reverse proxy (nginx, Caddy, Traefik...)
# is expected in front of it in production. See docs/deploiement.md.

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=srefop_portal.settings.prod \
    SREFOP_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint runtime libraries (Pango, HarfBuzz, fonts), poppler-utils
# (pdftotext & co.) and libpq for psycopg.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        poppler-utils \
        libpq5 \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user running every process of the stack.
RUN groupadd --system --gid 1000 srefop \
    && useradd --system --uid 1000 --gid srefop --create-home \
        --home-dir /home/srefop --shell /usr/sbin/nologin srefop

WORKDIR /app

# Dependencies first, to keep this layer cached while the code changes.
COPY requirements.txt /app/requirements.txt
RUN pip install -r /app/requirements.txt

# Code stays owned by root (read-only for the application user).
COPY . /app

# Static files are collected at build time (served by whitenoise). The secret
# key below only exists for this command and is never used at run time.
# /app/var (SREFOP_VAR_DIR, holds MEDIA_ROOT and the celery beat schedule) is
# the only directory the application writes to: it is mounted as a volume.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R srefop:srefop /app/var

USER srefop

EXPOSE 8000

# Any HTTP answer below 500 means gunicorn and Django are up. The request
# claims HTTPS (X-Forwarded-Proto, trusted by the prod settings) so that
# SECURE_SSL_REDIRECT does not turn it into a redirect, and uses the first
# entry of ALLOWED_HOSTS as Host to avoid DisallowedHost noise in the logs.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=8); c.request('GET', '/', headers={'Host': h, 'X-Forwarded-Proto': 'https'}); sys.exit(0 if c.getresponse().status < 500 else 1)"]

CMD ["gunicorn", "srefop_portal.wsgi:application", \
     "--config", "gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--no-control-socket", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--access-logfile", "-"]
