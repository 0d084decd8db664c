# CO audit ledger. `make run` and `make test` need only Python 3.11; they install the rest.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-fast bench schemas check-schemas screenshots clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install  ## serve on 127.0.0.1:8000 with SQLite in var/ (LEDGER_DATABASE_URL to change)
	@$(BIN)/ledger hello
	$(BIN)/ledger seed-demo --if-empty --scale 0.02
	$(BIN)/ledger run --with-projector

test: install  ## every test, on SQLite and PostgreSQL
	$(BIN)/python -m pytest -q

test-fast: install  ## unit tests only (no database)
	$(BIN)/python -m pytest -q tests/unit

screenshots: install  ## the browser tests, writing their 1366x768 screenshots to docs/screenshots (needs /usr/bin/chromium)
	LEDGER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser
	rm -f docs/screenshots/*.pdf

bench: install  ## benchmark on PostgreSQL (127.0.0.1:5432): writes BENCHMARKS.md and bench-results/ (<= 30 min)
	$(BIN)/python -m tests.bench.run

schemas: install  ## regenerate schemas/events from the payload contracts
	$(BIN)/ledger schemas

check-schemas: install
	$(BIN)/ledger schemas --check

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
