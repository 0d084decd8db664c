# CO audit ledger. `make run` and `make test` need only Python 3.11; they install the rest.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-fast test-ha ha-measure bench schemas check-schemas screenshots clean

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
	$(BIN)/ledger migrate
	$(BIN)/ledger seed-demo --if-empty --scale 0.02
	$(BIN)/ledger run --with-projector

TEST_WORKERS ?= 2
test: install  ## every test, on SQLite and PostgreSQL, in TEST_WORKERS processes (pytest-xdist, one file per worker at a time)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-fast: install  ## unit tests only (no database)
	$(BIN)/python -m pytest -q tests/unit

screenshots: install  ## the browser tests, writing their 1366x768 screenshots to docs/screenshots (needs /usr/bin/chromium)
	LEDGER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser
	rm -f docs/screenshots/*.pdf

test-ha: install  ## the failover test alone (needs pg_autoctl: apt-get install postgresql-15-auto-failover)
	$(BIN)/python -m pytest -q -s tests/ha

ha-measure: install  ## kill the primary 3 times under writers; bench-results/ha-failover*.json (docs/high-availability.md)
	$(BIN)/python -m tests.ha.measure --rounds 3 --require-standby

bench: install  ## benchmark on PostgreSQL (127.0.0.1:5432): writes BENCHMARKS.md and bench-results/ (<= 30 min)
	$(BIN)/python -m tests.bench.run

schemas: install  ## regenerate schemas/events from the payload contracts
	$(BIN)/ledger schemas

check-schemas: install
	$(BIN)/ledger schemas --check

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
