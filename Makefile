# carrierdesk — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CD := $(BIN)/carrierdesk
PORT ?= 8000
TICKETS ?= 2000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo serve test lint typecheck checks browser pytest browser-test bench messages clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install carrierdesk with its dev tools

demo: install ## Install, migrate, load demo data and serve at http://127.0.0.1:8000 (PORT=, TICKETS=)
	$(CD) migrate --no-input
	$(CD) demo --tickets $(TICKETS)
	$(CD) serve --port $(PORT)

serve: install ## Serve without reloading demo data
	$(CD) serve --port $(PORT)

lint: install ## ruff lint and format check
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench

typecheck: install ## mypy
	$(BIN)/mypy

checks: install ## Django system checks, missing migrations, OpenAPI schema without warnings
	@# Test settings: they silence only the data-dependent warning that next year's holidays
	@# are not imported yet (carrierdesk.W101), which `carrierdesk check` shows to admins.
	$(CD) check --fail-level WARNING --settings carrierdesk.config.settings.test
	$(CD) makemigrations --check --dry-run
	$(CD) spectacular --validate --fail-on-warn --file /dev/null

browser: ## Install Debian's Chromium for the browser tests if missing (scripts/browser.sh)
	@# CARRIERDESK_SKIP_BROWSER=1 (a machine without Chromium; never CI): the tests skip, saying so.
	@if [ "$${CARRIERDESK_SKIP_BROWSER:-}" = 1 ]; then echo "CARRIERDESK_SKIP_BROWSER=1: browser tests will be skipped"; else scripts/browser.sh ensure; fi

pytest: install browser ## Run the pytest suite only, browser tests included (PYTEST_ARGS=... to pass options)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

browser-test: install browser ## Run only the browser tests (Playwright + Chromium; screenshots in test-output/browser/)
	$(BIN)/pytest -n 2 -m browser src/carrierdesk/web/tests/browser $(PYTEST_ARGS)

test: lint typecheck checks pytest ## Install and run the whole test suite (the CI command)

bench: install ## Run the benchmarks (see bench/RESULTS.md)
	$(BIN)/python bench/register.py
	$(BIN)/python bench/calendar.py

messages: install ## Extract and compile translations (zh-Hans)
	cd src/carrierdesk && ../../$(CD) makemessages -l zh_Hans --no-obsolete && ../../$(CD) compilemessages -l zh_Hans

clean: ## Remove the virtual environment, local state (var/) and test output (test-output/)
	rm -rf $(VENV) var build *.egg-info src/*.egg-info test-output
