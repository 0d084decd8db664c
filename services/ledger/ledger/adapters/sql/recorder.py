"""The event store's recorder: the library's SQLAlchemy application recorder, writing set-based.

The library's recorder adds one ORM object per stored event and flushes the session; this one
writes the same columns with one Core INSERT ... RETURNING id per batch (SQLAlchemy's
insertmanyvalues: multi-row VALUES, ids matched to rows in parameter order), after the same
table lock, so positions are still assigned in order, gap-free, by the database's sequence.
The rows are the library's (same table, same bytes); only the ORM's per-object work is gone. On
PostgreSQL the lock, the library's NOTIFY and the insert travel as one string: one round trip where
there were three, while every other append waits for the lock.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import Factory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ledger.adapters.sql.pipeline import render, send


class LedgerRecorder(SQLAlchemyApplicationRecorder):
    """``SQLAlchemyApplicationRecorder`` whose insert is one multi-row statement."""

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> Sequence[int]:
        if not stored_events:
            return []
        table = self.events_record_cls.__table__  # type: ignore[attr-defined]
        session.flush()  # anything the session holds goes first, as the library's flush would
        if session.get_bind().dialect.name == "postgresql":
            return self._insert_in_one_round_trip(session, table, stored_events)
        self._lock_table(session)
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
            {"originator_id": e.originator_id, "originator_version": e.originator_version,
             "topic": e.topic, "state": e.state}
            for e in stored_events
        ]).scalars().all()
        self._notify_channel(session)
        return list(ids)

    def _insert_in_one_round_trip(self, session: Session, table: Any,
                                  stored_events: Sequence[StoredEvent]) -> list[int]:
        """PostgreSQL: the library's table lock, its NOTIFY and the insert as one string of statements,
        the values rendered by psycopg2's quoting. The rows are inserted in the batch's order (``ORDER BY``
        their number, as SQLAlchemy's ``sort_by_parameter_order`` does), so positions follow it; the ids
        come back with their keys (RETURNING promises no order)."""
        cursor = session.connection().connection.cursor()
        try:
            row = "(%s::uuid, %s::bigint, %s::text, %s::bytea, %s)"
            values = render(cursor, ", ".join([row] * len(stored_events)), [
                value for number, e in enumerate(stored_events)
                for value in (str(e.originator_id), e.originator_version, e.topic, e.state, number)])
        finally:
            cursor.close()
        name = table.fullname
        sql = (f"LOCK TABLE {name} IN EXCLUSIVE MODE; NOTIFY {self.channel_name}; "
               f"INSERT INTO {name} (originator_id, originator_version, topic, state) "
               f"SELECT o, v, t, s FROM (VALUES {values}) AS batch (o, v, t, s, n) ORDER BY n "
               f"RETURNING id, originator_id, originator_version")
        rows = send(session.connection(), sql).all()
        id_of = {(str(originator), int(version)): int(position) for position, originator, version in rows}
        return [id_of[(str(e.originator_id), int(e.originator_version))] for e in stored_events]


class LedgerFactory(Factory):
    """The SQLAlchemy persistence module with ``LedgerRecorder`` (``PERSISTENCE_MODULE`` topic)."""

    application_recorder_class = LedgerRecorder
