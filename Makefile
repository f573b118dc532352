# advice_site: the two commands that matter are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The newest suitable interpreter on the PATH (pyenv's shim honours .python-version).
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.14 python3 python; do \
	if command -v $$candidate >/dev/null 2>&1 && \
	   $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	   echo $$candidate; break; fi; done)

.PHONY: help install run test lint format bench bench-queue bench-disqus bench-scale resilience clean

help:
	@echo "make run    install, migrate, load the bundled article, serve on http://127.0.0.1:8000/"
	@echo "make test   run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make lint   ruff check and format check"
	@echo "make bench  gunicorn + PostgreSQL under load (wrk): the README's speed table"
	@echo "make bench-queue  the moderation queue with 1,000 and 100,000 comments (PostgreSQL)"
	@echo "make bench-disqus  import_disqus of 10,000 and 100,000 comments (PostgreSQL)"
	@echo "make bench-scale  every operation at 10k readers / 1k comments and 1M / 100k (PostgreSQL, Redis)"
	@echo "make resilience  database outage, killed worker, two servers (stops PostgreSQL!)"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.12 or newer found on the PATH. Install Python 3.12+ (python.org, pyenv or your package manager) and run make again." >&2; \
		exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py import_post content/*.md || \
		echo "Some files in content/ were not imported (named above); serving the others." >&2
	@echo ""
	@echo "To create an admin account: DJANGO_DEBUG=true $(PY) manage.py createsuperuser"
	@echo "Then edit posts at http://127.0.0.1:8000/admin/"
	@echo ""
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:8000

# Test processes (pytest-xdist): one per core, at most 4 (each drives its own browser).
# Each test file runs whole in one process. TEST_WORKERS=0 runs everything in this one.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1)

test: install
	@# pytest keeps its rewritten test modules as bytecode; without it, collection takes twice as long.
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest \
		-n $$(( $(TEST_WORKERS) > 4 ? 4 : $(TEST_WORKERS) )) --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	$(PY) bench/run.py

bench-queue: install
	$(PY) bench/queue_scale.py

bench-disqus: install
	$(PY) bench/disqus_scale.py

bench-scale: install
	$(PY) bench/scale.py

resilience: install
	@command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	$(PY) bench/resilience.py

clean:
	rm -rf $(VENV) staticfiles *.egg-info
