# Kansrijk: `make run` starts the app with demo data, `make test` runs every check.
# Setup is idempotent: stamp files make a second run take a second.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000
PIP_STAMP := $(VENV)/.requirements-installed
NPM_STAMP := node_modules/.package-lock-installed
HTMX := web/static/vendor/htmx.min.js
CHARTJS := web/static/vendor/chart.umd.min.js
BPMN_VIEWER := web/static/vendor/bpmn-viewer.production.min.js
AXE := node_modules/axe-core/axe.min.js
# The studio's scripts: every web/studio_js/<naam>.js (not _*.js, which are imported modules) is bundled
# with esbuild into web/static/vendor/studio/<naam>.js (+ <naam>.css for the CSS it imports).
STUDIO_SRC := $(wildcard web/studio_js/*.js)
STUDIO_ENTRIES := $(filter-out web/studio_js/_%,$(STUDIO_SRC))
STUDIO_STAMP := web/static/vendor/studio/.built

# What CI runs the suite against a second time.
CI_DATABASE_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
CI_REDIS_URL := redis://127.0.0.1:6379/15

# The suite runs in PYTEST_WORKERS processes (pytest-xdist); each has its own SQLite file, PostgreSQL
# database (<name>_gw0, ...) and Redis database number (tests/conftest.py). worksteal: an idle worker
# takes tests from the other's queue, so one slow file does not leave a core idle at the end.
PYTEST_WORKERS ?= 2
# In CI the 20 slowest tests are listed too: where to look when the run grows slow.
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(if $(filter true,$(CI)),--durations=20)
# $(call timed,<half>,<command>): run one half of the suite and print how long it took, also when it
# fails; with CI_REPORTS set (.ci/run) pytest writes its results to $(CI_REPORTS)/<half>.xml.
timed = @start=$$(date +%s); rc=0; $(2) $(if $(CI_REPORTS),--junitxml=$(CI_REPORTS)/$(1).xml) || rc=$$?; \
	echo "Duur $(1): $$(( $$(date +%s) - start )) s"; exit $$rc

.PHONY: setup run test lint pytest ci-services chromium

setup: $(PIP_STAMP) $(HTMX) $(CHARTJS) $(BPMN_VIEWER) $(AXE) $(STUDIO_STAMP) chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(HTMX): $(NPM_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# Chart.js draws the charts of Kengetallen (the UMD build: one file, no bundler).
$(CHARTJS): $(NPM_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/chart.js/dist/chart.umd.min.js $@

# bpmn-js draws an aanpak's diagram on the hulpvraag page (viewer only, no editing).
$(BPMN_VIEWER): $(NPM_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js $@
	cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css $(dir $@)

$(STUDIO_STAMP): $(NPM_STAMP) $(STUDIO_SRC)
	mkdir -p $(dir $@)
	$(if $(STUDIO_ENTRIES),node_modules/.bin/esbuild $(STUDIO_ENTRIES) --bundle --minify --format=iife --target=es2020 \
		--outdir=$(dir $@) --loader:.woff=file --loader:.woff2=file --loader:.ttf=file --loader:.eot=file \
		--loader:.svg=file --log-level=warning,)
	touch $@

# axe-core checks pages against WCAG 2.1 A/AA in the browser tests (never served to users).
$(AXE): $(NPM_STAMP)
	test -f $@

# Browser tests drive Debian's Chromium through Playwright; never `playwright install`.
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "Let op: /usr/bin/chromium ontbreekt; installeer het Debian-pakket 'chromium' (nodig voor browsertests)."; \
	fi

run: setup
	PORT=$(PORT) scripts/run.sh

lint: $(PIP_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# pytest's exit code 5 ("no tests collected") fails the recipe like any other non-zero code.
pytest: setup
	$(call timed,SQLite,$(PYTEST))

# In CI PostgreSQL and Redis are part of the run: unreachable means failed, never skipped.
ci-services: $(PIP_STAMP)
	@$(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=5).close()" \
		|| { echo "CI: PostgreSQL op 127.0.0.1:5432 (database test) is niet bereikbaar." >&2; exit 1; }
	@$(BIN)/python -c "import redis; redis.Redis.from_url('$(CI_REDIS_URL)', socket_connect_timeout=5).ping()" \
		|| { echo "CI: Redis op 127.0.0.1:6379 is niet bereikbaar." >&2; exit 1; }

ifeq ($(CI),true)
test: ci-services lint pytest
	scripts/pip_audit.sh  # S17: needs PyPI, so only in CI (before pytest, whose summary ends the log)
	$(call timed,PostgreSQL,TEST_DATABASE_URL=$(CI_DATABASE_URL) REDIS_URL=$(CI_REDIS_URL) $(PYTEST))
else
test: lint pytest
endif
