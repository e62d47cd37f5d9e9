# WEH — two commands: `make run` serves the app with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
export WEH_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test install install-dev browser wrk lint typecheck check migrate demo messages lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(VENV)/.installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev browser

# The browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@if [ ! -x "$(CHROMIUM)" ] || ! command -v pdftotext >/dev/null; then \
		echo "Installing Chromium (browser tests) and poppler-utils (PDF tests)…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

$(WEH_VAR_DIR)/secret_key:
	mkdir -p $(WEH_VAR_DIR)
	$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' > $@
	chmod 600 $@

migrate: install $(WEH_VAR_DIR)/secret_key
	$(BIN)/weh migrate --noinput -v0

demo: migrate
	$(BIN)/weh standards load
	$(BIN)/weh demo --if-empty

run: demo
	$(BIN)/weh collectstatic --noinput -v0
	$(BIN)/weh serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

check: $(VENV)/.installed-dev
	WEH_TESTING=1 $(BIN)/weh makemigrations --check --dry-run -v0
	WEH_TESTING=1 $(BIN)/weh check

test: install-dev lint typecheck check
	$(BIN)/pytest -n 2 --dist loadfile

messages: $(VENV)/.installed-dev
	cd weh && ../$(BIN)/weh makemessages -l fr -l zh_Hans --no-obsolete --ignore 'static/*'
	cd weh && ../$(BIN)/weh compilemessages -v0

lock: | $(BIN)/python
	scripts/lock.sh

# The HTTP benchmarks drive the server with wrk; a Python client would share the cores with it.
wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk (HTTP load generator for the benchmarks)…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

bench: $(VENV)/.installed-dev wrk
	$(BIN)/python bench/subject_list.py
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/portfolio.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/merkle.py
	$(BIN)/python bench/ledger_store.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
