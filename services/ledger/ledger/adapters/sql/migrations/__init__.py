"""Schema migrations (Alembic): ``ledger migrate`` is the one place the ledger's schema is made or changed.

Opening the ledger never runs DDL: it checks the database's revision (``require_current``) and a
process finding a missing, older or newer schema refuses to start, naming the command to run.
``migrate`` runs under a lock, so two processes migrating at once do it once: PostgreSQL
``pg_advisory_xact_lock`` inside the migration's transaction (env.py), SQLite an exclusive lock on a
file beside the database.

A change to ``tables.py`` (or the read model's control tables) needs a new revision in ``versions/``:
``tests/storage/test_migrations.py`` compares the migrated schema with the code's tables.
"""
from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

SCRIPTS = Path(__file__).resolve().parent
MIGRATE_LOCK = 0x4C474D
"""The key of the PostgreSQL advisory lock that serializes migrations."""
COMMAND = "ledger migrate"


class SchemaNotCurrent(RuntimeError):
    """The database's schema is not the one this code needs (missing, older or newer)."""

    def __init__(self, url: str, current: str | None, needed: str) -> None:
        self.current, self.needed = current, needed
        if current is None:
            state = "has no ledger schema (or one made before migrations, not yet stamped)"
        else:
            state = f"is at schema revision {current}"
        advice = f"run `{COMMAND}` (LEDGER_DATABASE_URL={url})" if current is None or known(current) else \
            "this code is older than the database: run a release that knows it"
        super().__init__(f"the database {url} {state}; this code needs revision {needed}: {advice}")


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def known(revision: str) -> bool:
    return revision in {script.revision for script in ScriptDirectory.from_config(config()).walk_revisions()}


def current(connection: Connection) -> str | None:
    """The database's revision (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def require_current(engine: Engine) -> None:
    """Raise ``SchemaNotCurrent`` unless the database is at this code's head revision (reads only)."""
    with engine.connect() as conn:
        revision = current(conn)
    if revision != head():
        raise SchemaNotCurrent(engine.url.render_as_string(hide_password=True), revision, head())


_IN_PROCESS = threading.Lock()
"""Alembic's context is one per process: threads migrate one after the other."""


def migrate(database_url: str) -> tuple[str | None, str]:
    """Create or upgrade the schema to head, once, under the migration lock; (revision before, after)."""
    engine = create_engine(database_url)
    try:
        with _IN_PROCESS, _file_lock(engine), engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # held to the end; env.py takes it again (re-entrant)
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK})
                conn.commit()
            before = current(conn)
            command.upgrade(config(conn), "head")
            conn.commit()
            return before, current(conn) or ""
    finally:
        engine.dispose()


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive lock on ``<database>.migrate-lock`` (PostgreSQL locks in env.py)."""
    url = make_url(engine.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    with open(f"{url.database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
