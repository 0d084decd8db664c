"""Fixtures: every storage test runs once on SQLite and once on PostgreSQL, each in a fresh database.

PostgreSQL: LEDGER_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) is the
admin connection; each run creates its own databases (unique names) and drops them. When CI=true
an unreachable PostgreSQL fails the run instead of skipping.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

ADMIN_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]
ADMIN_TOKEN = "lgr_test_admin_token"


def allow_frozen_time(ledger: object) -> None:
    """freezegun swaps datetime for FakeDatetime, which the event transcoder does not know by type."""
    from eventsourcing.persistence import DatetimeAsISO
    from freezegun.api import FakeDatetime

    class FakeDatetimeAsISO(DatetimeAsISO):
        type = FakeDatetime

    ledger.mapper.transcoder.register(FakeDatetimeAsISO())  # type: ignore[attr-defined]


def _admin_engine() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine | None]:
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # driver errors vary; any of them means no server
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and unreachable at {ADMIN_URL}: {exc}")
        yield None
        return
    yield engine
    with engine.connect() as conn:
        leftovers = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": f"ledger_t_{RUN_ID}_%"}).scalars().all()
        for name in leftovers:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _url_with_db(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@contextmanager
def postgres_database(admin: Engine) -> Iterator[str]:
    """A new, empty PostgreSQL database of this run (its URL), dropped afterwards."""
    name = f"ledger_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _url_with_db(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(blank_database_url: str) -> str:
    """A fresh database of each kind with the ledger's schema (``ledger migrate``); dropped afterwards."""
    from ledger.adapters.sql.migrations import migrate

    migrate(blank_database_url)
    return blank_database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_admin: Engine | None) -> Iterator[str]:
    """A fresh, empty database of each kind (no schema); dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    if postgres_admin is None:
        pytest.skip(f"PostgreSQL unreachable at {ADMIN_URL} (set CI=true to make this an error)")
    with postgres_database(postgres_admin) as url:
        yield url
