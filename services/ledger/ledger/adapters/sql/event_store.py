"""Storage: the event store (eventsourcing + SQLAlchemy) and the ledger's own tables, one engine.

``LEDGER_DATABASE_URL`` chooses SQLite (a file, the embedded default) or PostgreSQL
(``postgresql+psycopg2://``). Nothing here runs at import time.
"""
from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ledger.adapters.sql import failover
from ledger.adapters.sql.tables import APPEND_ONLY, metadata
from ledger.adapters.sql.urls import normalize_url


class EventStore(Application):
    """The event store of every CO's entities; its notification log is the global feed."""

    name = "Ledger"
    """The table prefix (``ledger_events``), as the first release created it."""
    log_section_size = 1000


def open_event_store(database_url: str, read_only: bool = False) -> EventStore:
    """Open (and create if needed) the event store and the ledger's tables.

    ``read_only`` opens a standby's copy for replica reads: no table is created there.
    """
    url = normalize_url(database_url)
    ledger = EventStore(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": url,
            "CREATE_TABLE": "n" if read_only else "y",
        }
    )
    engine = engine_of(ledger)
    failover.install(engine)
    if not read_only:
        metadata.create_all(engine)
        install_append_only_triggers(engine)
    return ledger


APPEND_LOCK_SPACE = 0x4C47
"""The first key of the per-CO advisory locks (``lock_org``); the second is a hash of the CO's id."""


def lock_org(session: Any, org_id: str) -> None:
    """Hold the CO's append lock until the transaction ends (PostgreSQL; elsewhere the store serializes writes).

    An append takes it before it reads anything, so a second append to the same CO reads what the
    first stored: the rules decide on the CO as it is, never on a copy a concurrent batch is changing.
    Appends to other COs do not wait for it. Two COs whose ids hash alike share a lock: they only wait.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:org_id))"),
                        {"space": APPEND_LOCK_SPACE, "org_id": org_id})


def engine_of(ledger: EventStore) -> Engine:
    engine: Any = ledger.recorder.datastore.engine  # type: ignore[attr-defined]
    return engine


def events_table(ledger: EventStore) -> Any:
    """The SQLAlchemy table of stored events (columns id, originator_id, originator_version, topic, state)."""
    return ledger.recorder.events_record_cls.__table__  # type: ignore[attr-defined]


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def install_append_only_triggers(engine: Engine) -> None:
    """Make the append-only tables refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))
            conn.execute(text(_PG_FUNCTION))
            for table in APPEND_ONLY:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
                conn.execute(text(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
                ))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
                conn.execute(text(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
                ))
        else:
            for table in APPEND_ONLY:
                for op in ("UPDATE", "DELETE"):
                    conn.execute(text(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {op} refused'); END"
                    ))
