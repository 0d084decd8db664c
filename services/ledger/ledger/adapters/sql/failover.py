"""PostgreSQL high availability, as the ledger's engines see it (docs/operations.md).

- ``install(engine)``: errors that mean "this server is no longer the one to use" (a primary
  demoted to read-only, an administrator or crash shutdown, a server not accepting connections)
  invalidate the pool, as a lost connection already does; the next checkout goes through libpq's
  multi-host list again and finds the new primary (``target_session_attrs=read-write``).
- ``confirm_replicated(engine, ...)``: after a commit, whether a standby has flushed the primary's
  WAL up to it. With ``LEDGER_REQUIRE_STANDBY`` the append path answers 503 when none did in time,
  so an acknowledged event is always on two servers (pg_auto_failover's ``wait_primary`` state runs
  with synchronous replication off: commits then return before any standby has them).
- ``replica_state(engine)``: whether the server behind an engine is a standby, and how far its
  replay is behind the WAL it received, for replica reads and /readyz.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ledger.domain.errors import Unavailable

SERVER_GONE = {
    "25006",  # read_only_sql_transaction: the primary was demoted under us
    "57P01",  # admin_shutdown
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now (starting up, shutting down, in recovery)
}
"""SQLSTATEs after which a pooled connection is of no more use."""


def install(engine: Engine) -> None:
    """Treat the server-gone SQLSTATEs as disconnects (the pool is invalidated and refilled)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "handle_error")
    def _server_gone(context: Any) -> None:
        code = getattr(context.original_exception, "pgcode", None)
        if code in SERVER_GONE:
            context.is_disconnect = True


_FLUSHED = text("""
SELECT coalesce(max(flush_lsn) >= pg_current_wal_flush_lsn(), false) AS flushed, count(*) AS standbys
FROM pg_stat_replication WHERE state = 'streaming'
""")


def confirm_replicated(engine: Engine, wait_s: float = 1.0, poll_s: float = 0.005) -> None:
    """Return once a streaming standby has flushed the primary's WAL as far as it is flushed locally.

    Called after a commit, so the commit is in what must be flushed. Raises ``Unavailable``
    (``commit-not-replicated``) after ``wait_s``: the event may be stored on the primary alone;
    a retry with the same Idempotency-Key answers from the idempotency record if it survived and
    stores it afresh if the primary was lost with it. The database user needs ``pg_monitor``
    (without it, pg_stat_replication hides flush_lsn and nothing is ever confirmed).
    """
    deadline = time.monotonic() + wait_s
    standbys = 0
    with engine.connect() as conn:
        while True:
            flushed, standbys = conn.execute(_FLUSHED).one()
            conn.rollback()
            if flushed:
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(poll_s)
    raise Unavailable(
        "commit-not-replicated",
        f"the append committed on the primary but no standby confirmed it within {wait_s:g} s "
        f"({standbys} streaming): retry with the same Idempotency-Key",
        retry_after=2, streaming_standbys=int(standbys), waited_s=wait_s,
    )


@dataclass(frozen=True)
class ReplicaState:
    standby: bool
    replay_lag_s: float
    """Seconds since the last replayed transaction when WAL received is not yet replayed; else 0."""


_REPLICA = text("""
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
""")


def replica_state(engine: Engine) -> ReplicaState:
    """Whether the engine's server is a standby and its replay lag (SQLite: never a standby)."""
    if engine.dialect.name != "postgresql":
        return ReplicaState(False, 0.0)
    with engine.connect() as conn:
        standby, lag = conn.execute(_REPLICA).one()
    return ReplicaState(bool(standby), round(float(lag or 0), 3))


def probe_replica(engine: Engine) -> ReplicaState | None:
    """``replica_state``, or None when the replica cannot be reached."""
    try:
        return replica_state(engine)
    except SQLAlchemyError:
        return None


def last_position_or_none(reader: Any, attempts: int = 2) -> int | None:
    """The reader's last log position, or None when its database cannot be reached.

    A second attempt follows a failed one: after a failover the first use of a pooled connection
    fails and invalidates the pool, and the next checkout connects afresh through the host list.
    """
    for _ in range(attempts):
        try:
            return int(reader.last_position())
        except SQLAlchemyError:
            continue
    return None
