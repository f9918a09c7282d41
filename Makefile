# KitCoop — two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Write the dependencies' bytecode at install time: with PYTHONDONTWRITEBYTECODE set (as on
# this machine kind and in the image), every process would otherwise recompile WeasyPrint,
# matplotlib and Django from source (seconds per process).
export UV_COMPILE_BYTECODE := 1

PYTHON ?= python3.11
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
RUN_ENV := DEBUG=1 DJANGO_SETTINGS_MODULE=config.settings.base
# WeasyPrint's libraries and fonts (run and test); Chromium and poppler for the browser and PDF tests.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils docker-compose postgresql-client redis-server
PYTEST_ARGS ?=
# Port of the development server: `make run PORT=8001`.
PORT ?= 8000

.PHONY: help run test deps-run deps-test uv venv migrate demo serve quality lint format bench clean

help:
	@echo "make run   — installe ce qui manque, migre SQLite, charge la démo, sert http://127.0.0.1:8000 (autre port : make run PORT=8001)"
	@echo "make test  — installe ce qui manque et lance toute la suite (PostgreSQL/Redis si DATABASE_URL/REDIS_URL)"
	@echo "make quality — ruff format --check, ruff check, migrations à jour"
	@echo "make bench — benchmarks à l'échelle nationale (voir bench/README.md)"

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets système manquants :$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=""; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps-run:
	$(call apt_install,$(RUN_PACKAGES))

deps-test:
	$(call apt_install,$(TEST_PACKAGES))
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	@[ -f tests/browser/axe/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/browser/axe --no-audit --no-fund --silent

uv:
	@command -v uv >/dev/null 2>&1 || [ -x $(HOME)/.local/bin/uv ] || { \
	  echo "Installation de uv"; \
	  $(PYTHON) -m pip install --quiet uv 2>/dev/null || $(PYTHON) -m pip install --quiet --break-system-packages uv; }

venv: uv
	@$(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv) sync --frozen --python $(PYTHON) --quiet

migrate: venv
	@mkdir -p var
	$(RUN_ENV) $(MANAGE) migrate --noinput

demo: migrate
	$(RUN_ENV) $(MANAGE) load_catalogues
	$(RUN_ENV) $(MANAGE) load_demo

serve:
	@echo "KitCoop : http://127.0.0.1:$(PORT) (Ctrl+C pour arrêter)"
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

run: deps-run demo serve

quality: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DATABASE_URL= DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	PATH="$(HOME)/.local/bin:$$PATH" $(PY) scripts/audit.py

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: deps-test venv quality
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=25 $(PYTEST_ARGS)

audit: venv
	PATH="$(HOME)/.local/bin:$$PATH" $(PY) scripts/audit.py

bench: deps-test venv
	$(call apt_install,time)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var test-artifacts staticfiles
