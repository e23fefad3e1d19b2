# Portail Srefop — commandes usuelles. Voir README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Absolute links (e-mails, iCal, open data) follow the address served, unless SITE_URL is set.
export SREFOP_HOST := $(HOST)
export SREFOP_PORT := $(PORT)

.PHONY: help install run test quality format bench soak clean backup restore worker beat

help:
	@echo "make run      — installe, prépare la base, charge les données et sert le portail sur http://$(HOST):$(PORT)"
	@echo "make test     — installe et lance toute la suite de tests"
	@echo "make quality  — formatage, lint Python et gabarits, contrats d'imports (import-linter), migrations manquantes"
	@echo "make bench    — mesures de performance, échelles 1 et 10 (PostgreSQL + Redis requis ; BENCH_ARGS=\"--quick\")"
	@echo "make soak     — charge soutenue : 50 clients pendant 5 min, 0 erreur serveur attendue (SOAK_ARGS=…)"

# One install at a time (flock): `make run` and `make worker` started together share one venv; the second waits,
# then finds the stamp and installs nothing. A venv left without pip (interrupted creation) is created again.
$(STAMP): requirements.txt requirements-dev.txt
	@exec 9>.install.lock; flock 9; \
	if [ ! -f $(STAMP) ]; then \
	  $(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv $(VENV) || exit 1; \
	  echo "Installation des dépendances Python dans $(VENV)…"; \
	  $(PY) -m pip install --quiet --upgrade pip && \
	  $(PY) -m pip install --quiet -r requirements-dev.txt || exit 1; \
	  rm -f $(VENV)/.installed-*; touch $(STAMP); \
	fi

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data
	@echo ""
	@echo "Portail servi sur http://$(HOST):$(PORT) (Ctrl+C pour arrêter)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest tests $(PYTEST_ARGS)

quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --check
	$(VENV)/bin/djlint templates --lint
	DJANGO_SETTINGS_MODULE=srefop_portal.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/djlint templates --reformat --quiet || true

worker: install
	$(VENV)/bin/celery -A srefop_portal worker --loglevel=info --concurrency=2

beat: install
	$(VENV)/bin/celery -A srefop_portal beat --loglevel=info --schedule var/celerybeat-schedule

bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

soak: install
	$(PY) -m bench.soak $(SOAK_ARGS)

backup: install
	bash scripts/backup.sh

restore: install
	bash scripts/restore.sh $(BACKUP)

clean:
	rm -rf $(VENV) var/db.sqlite3 staticfiles
