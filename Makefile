# Upturn's entry points. `make run` and `make test` need only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrate worker beat lock messages clean

help:
	@echo "make run    - set up and serve Upturn with demo data on http://$(HOST):$(PORT)"
	@echo "make test   - run the whole test suite (DATABASE_URL / REDIS_URL pick PostgreSQL / Redis;"
	@echo "              COVERAGE=1 adds the coverage report and fails below its floor,"
	@echo "              fail_under in pyproject.toml; TEST_WORKERS=N, default one per core)"
	@echo "make lint   - ruff lint and format checks, the import rules (lint-imports), the templates (djLint)"
	@echo "make messages - refresh and compile the fr/de/es catalogues (locale/; needs GNU gettext)"
	@echo "make worker / make beat - run a Celery worker / beat (REDIS_URL, else var/broker/)"

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Upturn needs Python 3.11 or newer; run: make PYTHON=python3.12 ..."; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV)/"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the dependencies (requirements.txt) into $(VENV)/"
	@# --no-compile: byte-compiling every installed file took 24 of pip's 41 s of CPU
	@# (2-core machine); Python compiles the modules it imports on first use instead.
	@$(PY) -m pip install --disable-pip-version-check --no-compile -q -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

# The embedded default, everything in var/: SQLite, a filesystem Celery broker, a file
# cache, email to the console. config/embedded.py migrates (when needed), seeds the demo,
# then runs the web server beside a Celery worker with beat; Ctrl-C stops them all.
run: export DEBUG ?= true
run: $(VENV)/.runtime
	@$(PY) -m config.embedded --host $(HOST) --port $(PORT)

# Exit code 5 means pytest collected no tests: that is a failure, and says so.
# COVERAGE=1 adds the coverage report (it slows the suite by a fifth or so) and fails
# below the floor, fail_under in pyproject.toml's [tool.coverage.report].
# Tests run in parallel, one process per core (TEST_WORKERS=0 runs them in one process);
# each test module stays on one worker, so its module-scoped fixtures are built once.
COVERAGE ?=
TEST_WORKERS ?= auto
test: $(VENV)/.dev
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile \
		$(if $(COVERAGE),--cov --cov-report=term:skip-covered) $(PYTEST_ARGS); status=$$?; \
		if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests"; fi; \
		exit $$status

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: $(VENV)/.runtime
	mkdir -p var
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Regenerate the lock files from pyproject.toml (needs network access to PyPI).
lock: $(VENV)/.dev
	$(PY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml -o requirements.txt --python-version 3.11 -q
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements-dev.txt --python-version 3.11 -q

# Refresh the translation catalogues (locale/<lang>/LC_MESSAGES/django.po) from the code
# and templates, then compile them (the .mo files are committed, so a fresh machine needs
# no gettext tools). Needs GNU gettext (Debian: gettext). locale/GLOSSARY.md is the terms.
MESSAGE_LANGUAGES := fr de es
messages: $(VENV)/.dev
	DEBUG=true $(PY) manage.py makemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) \
		--add-location file --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'benchmarks/*' --ignore 'var/*' \
		--ignore 'staticfiles/*' --ignore 'test-artifacts/*'
	DEBUG=true $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .coverage
