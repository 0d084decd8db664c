"""Storage: the event store (eventsourcing + SQLAlchemy) and the ledger's own tables, one engine.

``LEDGER_DATABASE_URL`` chooses SQLite (a file, the embedded default) or PostgreSQL
(``postgresql+psycopg2://``). Nothing here runs at import time.
"""
from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.models import StoredEventRecord
from sqlalchemy import Table, event, text
from sqlalchemy.engine import Connection, Engine

from ledger.adapters.sql import failover
from ledger.adapters.sql.tables import APPEND_ONLY, EVENTS_TABLE
from ledger.adapters.sql.urls import describe_url, normalize_url  # noqa: F401 (describe_url: re-exported)


class EventStore(Application):
    """The event store of every CO's entities; its notification log is the global feed."""

    name = "Ledger"
    """The table prefix (``ledger_events``), as the first release created it."""
    log_section_size = 1000


def open_event_store(database_url: str, statement_timeout_ms: int = 30_000, lock_timeout_ms: int = 5_000,
                     check_schema: bool = True) -> EventStore:
    """Open the event store and the ledger's tables; never creates or changes them (``ledger migrate`` does).

    Raises ``SchemaNotCurrent`` (naming the command to run) when the schema is missing, older or newer.
    A standby's copy (replica reads) opens with ``check_schema=False``: its schema is the primary's,
    replicated, and a standby that is down when the ledger starts must not stop it (reads fall back).
    Every connection is bounded: PostgreSQL ``statement_timeout`` and ``lock_timeout``; SQLite waits
    at most ``lock_timeout_ms`` for the write lock.
    """
    from ledger.adapters.sql.migrations import require_current

    url = normalize_url(database_url)
    ledger = EventStore(
        env={
            "PERSISTENCE_MODULE": "ledger.adapters.sql.recorder:LedgerFactory",
            "SQLALCHEMY_URL": url,
            "CREATE_TABLE": "n",
        }
    )
    engine = engine_of(ledger)
    bound_waits(engine, statement_timeout_ms, lock_timeout_ms)
    failover.install(engine)
    if not check_schema:
        return ledger
    try:
        require_current(engine)
    except Exception:
        engine.dispose()
        raise
    return ledger


def bound_waits(engine: Engine, statement_timeout_ms: int, lock_timeout_ms: int) -> None:
    """Set the timeouts on every new connection of ``engine`` (0: no limit)."""

    @event.listens_for(engine, "connect")
    def _bounded(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if engine.dialect.name == "postgresql":
                cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
                cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
                dbapi_connection.commit()
            else:
                cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout_ms)}")
        finally:
            cursor.close()


def events_table_definition() -> Table:
    """The event store's table as the eventsourcing SQLAlchemy recorder defines it (for migrations)."""
    record_cls = SQLAlchemyDatastore.define_record_class(
        cls_name="LedgerEvent", table_name=EVENTS_TABLE, schema_name=None, base_cls=StoredEventRecord)
    return record_cls.__table__  # type: ignore[attr-defined,no-any-return]


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


def install_append_only_triggers(conn: Connection) -> None:
    """Make the append-only tables refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL): migrations only."""
    if conn.dialect.name == "postgresql":
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
