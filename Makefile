# Empreinte: `make run` serves the portal, `make test` runs the whole suite.
# Both set everything up on a fresh machine that has Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=app:create_app $(BIN)/flask
HOST ?= 127.0.0.1
PORT ?= 5000
# `make run`: e-mailed links lead to the address served, and the development mail sink
# listens where the portal sends (either may be set, in the environment or on the line).
# Served on every interface (HOST=0.0.0.0), a link naming 0.0.0.0 opens nowhere for
# others: it names this machine's first address instead.
PUBLIC_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),$(firstword $(shell hostname -I 2>/dev/null) 127.0.0.1),$(HOST))
PUBLIC_BASE_URL ?= http://$(PUBLIC_HOST):$(PORT)
MAIL_PORT ?= 1025
# The demo's privacy notice names example contacts (RFC 2606 addresses, which a
# production start refuses) rather than a gap; set them to try others.
PRIVACY_CONTROLLER_CONTACT ?= rgpd@example.org
PRIVACY_CONTACT ?= dpo@example.org
RUN_ENV := PUBLIC_BASE_URL='$(PUBLIC_BASE_URL)' MAIL_PORT='$(MAIL_PORT)' \
  PRIVACY_CONTROLLER_CONTACT='$(PRIVACY_CONTROLLER_CONTACT)' PRIVACY_CONTACT='$(PRIVACY_CONTACT)'
VENDOR := app/static/vendor

.PHONY: run serve setup setup-prod install install-prod assets translations db demo test lint format pytest browser bench load wrk clean

run: setup db demo ## Set up, migrate, load the demo data and serve on http://$(HOST):$(PORT)
	@# The scheduler and a development mail sink (e-mails land in instance/mail/, a
	@# maildir) run next to the web server and stop with it.
	mkdir -p instance/mail/tmp instance/mail/new instance/mail/cur
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) -c aiosmtpd.handlers.Mailbox instance/mail & MAIL_PID=$$!; \
	$(RUN_ENV) $(FLASK) scheduler run & SCHEDULER_PID=$$!; \
	trap 'kill $$SCHEDULER_PID $$MAIL_PID 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

setup: install assets translations

# A server's: the runtime dependencies only (no test tools, linter or browser driver),
# the front-end assets and the compiled translations. README, "Running in production".
setup-prod: install-prod assets
	$(FLASK) translate compile >/dev/null

install: $(VENV)/.installed

install-prod: $(VENV)/.installed-prod

# The virtual environment, with the project installed in it, editable (the code stays in
# the checkout), with the extras $(1).
define install_project
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(1)'
	touch $@
endef

$(VENV)/.installed: pyproject.toml
	$(call install_project,[dev])

$(VENV)/.installed-prod: pyproject.toml
	$(call install_project,)

assets: $(VENDOR)/.copied

# Front-end libraries come from the npm registry (pinned in package-lock.json)
# and are served by the portal itself: no CDN, no third-party request.
$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/htmx $(VENDOR)/leaflet $(VENDOR)/axe
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

translations: install
	$(FLASK) translate compile >/dev/null

db: setup
	$(FLASK) db upgrade heads

demo: db
	$(FLASK) demo seed --if-empty

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	  fi; }
	@command -v chromium >/dev/null 2>&1 || { echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium'." >&2; exit 1; }

# The suite runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL at the
# same time (one core each): the PostgreSQL run's output is printed after the SQLite
# one's, and either failing fails the target. The browser audits (EcoIndex, axe-core,
# keyboard) measure pages, not the database: they run once, on SQLite.
# Compiled modules are kept even where PYTHONDONTWRITEBYTECODE is set: pytest otherwise
# rewrites the assertions of every test module again at each run (14 s instead of 3).
test: export PYTHONDONTWRITEBYTECODE =
test: setup browser lint
	@if [ -z "$$TEST_DATABASE_URL" ]; then exec $(BIN)/python -m pytest $(PYTEST_ARGS); fi; \
	postgres_log=$$(mktemp); sqlite_log=$$(mktemp); sqlite_status_file=$$(mktemp); \
	echo "== The suite on SQLite, and on PostgreSQL ($$TEST_DATABASE_URL) alongside =="; \
	EMPREINTE_TEST_DB=postgresql $(BIN)/python -m pytest -m "not (browser or audit) or journey" -p no:cacheprovider $(PYTEST_ARGS) >$$postgres_log 2>&1 & postgres=$$!; \
	trap 'kill $$postgres 2>/dev/null; rm -f $$postgres_log $$sqlite_log $$sqlite_status_file' EXIT INT TERM; \
	{ $(BIN)/python -m pytest $(PYTEST_ARGS) 2>&1; echo $$? >$$sqlite_status_file; } | tee $$sqlite_log; \
	sqlite_status=$$(cat $$sqlite_status_file); \
	wait $$postgres; postgres_status=$$?; \
	echo "== The same suite on PostgreSQL, its browser tests but each domain's journey left to SQLite =="; cat $$postgres_log; \
	echo "== Both runs (exit $$sqlite_status on SQLite, $$postgres_status on PostgreSQL) =="; \
	for run in SQLite:$$sqlite_log PostgreSQL:$$postgres_log; do \
	  grep -E '^(FAILED|ERROR) |^=+ .*(passed|failed|error).* in ' "$${run#*:}" | sed "s/^/$${run%%:*}: /"; \
	done; \
	test $$sqlite_status = 0 && test $$postgres_status = 0

# Seeds a fresh database (SQLite, or <db>_bench next to DATABASE_URL), serves it
# with gunicorn on port 5077 and measures every key page with wrk: JSON lines.
bench: setup wrk
	$(BIN)/python bench/run.py

# The mixed load scenario alone (70 % catalogue, 20 % leaderboards, 10 % writes) on a
# fresh seeded database: SQLite, or PostgreSQL with DATABASE_URL. Fails on an error or a lost write.
load: setup wrk
	$(BIN)/python bench/load.py

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's wrk for the benchmark…"; \
	    (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)); \
	  fi; }
	@command -v wrk >/dev/null 2>&1 || { echo "The benchmark needs wrk: run 'sudo apt-get install wrk'." >&2; exit 1; }

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance .pytest_cache .ruff_cache
