# Two commands do everything: `make run` and `make test`. Both build what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test check-fast install database browser postgres zbar redis lint check bench bench-live clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The SQLite database in instance/, migrated to the newest schema, with the banks loaded.
database: install
	$(BIN)/quiz db upgrade
	$(BIN)/quiz content sync

## Serve the app on http://$(HOST):$(PORT), for development (the lobby knows phones cannot reach it).
run: database
	QUIZ_BIND_HOST=$(HOST) $(BIN)/quiz run --host $(HOST) --port $(PORT)

## Serve a class: gunicorn on every interface; prints the addresses phones join at and the presenter's.
serve: database
	$(BIN)/quiz serve --host 0.0.0.0 --port $(PORT)

## Debian's Chromium, for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## PostgreSQL's server binaries, for the tests that run a throwaway cluster (Debian's package).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql server for the PostgreSQL tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

## zbarimg (Debian's zbar-tools), which the browser tests decode the lobby's QR code with.
zbar:
	@command -v zbarimg >/dev/null 2>&1 || { \
	  echo "installing Debian's zbar-tools for the QR code test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq zbar-tools >/dev/null; }

## Redis, for the tests that share rate-limit counts between servers (Debian's package).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing Debian's redis-server for the rate-limit tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## Content checks that need no database: validation with lint as errors, generated files up to date.
check: install
	$(BIN)/quiz content validate --strict
	$(BIN)/quiz content generate --check

## axe-core, the accessibility checker the browser tests inject (from npm, major version pinned).
tests/browser/node_modules/axe-core/axe.min.js:
	npm install --no-save --no-audit --no-fund --prefix tests/browser axe-core@4

## gift-pegjs, an independent GIFT parser the exchange tests check our GIFT export with (npm, major pinned).
tests/exchange/node_modules/gift-pegjs/package.json:
	npm install --no-save --no-audit --no-fund --prefix tests/exchange gift-pegjs@1

test: install browser postgres zbar redis lint check tests/browser/node_modules/axe-core/axe.min.js \
		tests/exchange/node_modules/gift-pegjs/package.json
	$(BIN)/python -m pytest

## Lint, types and every test not marked slow, on two processes: no real server, no browser.
## Those marked timing run after, on one, since a test beside them would skew their figures.
check-fast: lint postgres tests/exchange/node_modules/gift-pegjs/package.json
	$(BIN)/python -m pytest -n 2 -m "not slow and not timing" -p no:cacheprovider --ignore=tests/browser
	$(BIN)/python -m pytest -m "timing and not slow" -p no:cacheprovider --ignore=tests/browser

bench: install
	$(BIN)/python tests/bench/validate_bench.py

## The live benchmark's target configurations one after another (under 20 minutes), and a table for the README.
bench-live: install postgres
	$(BIN)/python tests/bench/live_matrix.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
