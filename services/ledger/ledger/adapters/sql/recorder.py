"""The event store's recorder: the library's SQLAlchemy application recorder, writing set-based.

The library's recorder adds one ORM object per stored event and flushes the session; this one
writes the same columns with one Core INSERT ... RETURNING id per batch (SQLAlchemy's
insertmanyvalues: multi-row VALUES, ids matched to rows in parameter order), after the same
table lock, so positions are still assigned in order, gap-free, by the database's sequence.
The rows are the library's (same table, same bytes); only the ORM's per-object work is gone.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import Factory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert
from sqlalchemy.orm import Session


class LedgerRecorder(SQLAlchemyApplicationRecorder):
    """``SQLAlchemyApplicationRecorder`` whose insert is one multi-row statement."""

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> Sequence[int]:
        if not stored_events:
            return []
        table = self.events_record_cls.__table__  # type: ignore[attr-defined]
        self._lock_table(session)
        session.flush()  # anything the session holds goes first, as the library's flush would
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
            {"originator_id": e.originator_id, "originator_version": e.originator_version,
             "topic": e.topic, "state": e.state}
            for e in stored_events
        ]).scalars().all()
        self._notify_channel(session)
        return list(ids)


class LedgerFactory(Factory):
    """The SQLAlchemy persistence module with ``LedgerRecorder`` (``PERSISTENCE_MODULE`` topic)."""

    application_recorder_class = LedgerRecorder
