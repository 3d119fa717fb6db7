# Registrar: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-reference.lock 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: help setup run test test-fast lint format messages bench scale-test clean

help:
	@echo "make run    set everything up (SQLite, demo data) and serve http://127.0.0.1:$(PORT)/"
	@echo "make test   run the whole suite, browser tests included (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make test-fast  the suite without the browser tests (no Chromium, no npm needed)"
	@echo "make lint   ruff check + format check;  make bench  benchmarks (see bench/README.md)"
	@echo "make scale-test  the production shape on loopback: nginx, 2 app servers, 2 workers, PostgreSQL, Redis, S3 (docs/deploy.md)"

# The virtual environment, rebuilt whenever the lock file changes.
$(STAMP): requirements.lock requirements-reference.lock
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements-reference.lock
	rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_communes --if-empty

# Compiled catalogues are build output; locale/*/LC_MESSAGES/django.po is the source.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || { echo "error: msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	@# Compiling needs no configuration: the test settings spare it a SECRET_KEY.
	DJANGO_SETTINGS_MODULE=registrar.settings_test $(PY) manage.py compilemessages --ignore=.venv -v0

run: export DEBUG ?= true
run: setup
	$(PY) manage.py seed_demo
	@echo
	@echo "  Registrar is served at http://127.0.0.1:$(PORT)/"
	@echo "  Demo login: user demo, password demo"
	@echo
	@# The background worker (PDF reports of batch operations) runs beside the web server
	@# and stops with it.
	$(PY) manage.py db_worker --no-startup-delay -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# axe-core (package.json, pinned in package-lock.json) checks every page the browser tests
# visit against WCAG 2.1 AA; npm is needed for the tests only, never to serve the app.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found: install Node.js and npm (apt-get install nodejs npm); the browser tests need axe-core"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(STAMP) messages $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite without the Playwright journeys (marked `browser` by tests/browser/conftest.py).
test-fast: $(STAMP) messages
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# nginx + two gunicorn app servers + two db_worker + PostgreSQL + Redis + an S3 test server,
# on loopback, driven and checked by scripts/scale_test.py (docs/deploy.md, « Scale test »).
scale-test: $(STAMP) messages
	$(PY) scripts/scale_test.py $(SCALE_TEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) bench/student_search.py
	$(PY) bench/batch_enrollment.py
	$(PY) bench/attendance_sheet.py
	$(PY) bench/candidate_picker.py
	$(PY) bench/candidate_import.py
	$(PY) bench/hostile_uploads.py
	$(PY) bench/tabular_reader.py
	$(PY) bench/placement_pages.py

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 locale/*/LC_MESSAGES/*.mo
