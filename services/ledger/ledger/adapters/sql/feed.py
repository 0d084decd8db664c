"""The global feed for the read side: every stored event after a position, in log order, in pages."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ledger.adapters.sql.event_store import EventStore, engine_of, events_table
from ledger.adapters.sql.records import decode_stored, record_from_stored
from ledger.adapters.sql.tables import entries
from ledger.log.record import Record


class Feed:
    """The global feed in log order, as records (decoded from the stored bytes as written).

    The same records as ``Reader.records``, read in bulk by keyset pages; on PostgreSQL the state
    comes back as text and most states are decoded by the JSON parser alone (``decode_stored``).
    """

    def __init__(self, ledger: EventStore) -> None:
        self.ledger = ledger
        self.engine: Engine = engine_of(ledger)
        events = events_table(ledger)
        mapper = ledger.mapper
        self.as_text = self.engine.dialect.name == "postgresql" and not mapper.cipher and not mapper.compressor
        state = func.convert_from(events.c.state, "UTF8") if self.as_text else events.c.state
        self.query = (
            select(events.c.id, events.c.originator_id, events.c.originator_version, events.c.topic,
                   state.label("state"))
            .join(entries, entries.c.position == events.c.id)
        )
        self.events = events
        self.entries_name = entries.name

    def last_position(self) -> int:
        """The log's last position (0 when empty)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(entries.c.position))).scalar() or 0)

    def records(self, after: int, limit: int) -> list[Record]:
        """The records after position ``after``, at most ``limit``, in log order."""
        return [self._record(*row) for row in self._rows(after, limit)]

    def pages(self, after: int, limit: int, pool: ThreadPoolExecutor | None = None) -> Iterator[list[Record]]:
        """Every record after ``after`` in pages of ``limit`` (keyset); with a pool, the next page is read ahead."""
        pending = pool.submit(self._rows, after, limit) if pool is not None else None
        while True:
            rows = pending.result() if pending is not None else self._rows(after, limit)
            if not rows:
                return
            after = rows[-1][0]
            if pool is not None:
                pending = pool.submit(self._rows, after, limit)
            yield [self._record(*row) for row in rows]

    def _rows(self, after: int, limit: int) -> list[Any]:
        # The bound on both sides of the join keeps each page's cost flat (else a merge join walks the
        # index entries from position 0 on every page).
        query = (self.query.where(self.events.c.id > after, entries.c.position > after)
                 .order_by(self.events.c.id).limit(limit))
        with self.engine.connect() as conn:
            return list(conn.execute(query).tuples())

    def _record(self, position: int, originator_id: Any, version: int, topic: str, stored: Any) -> Record:
        return record_from_stored(position, originator_id, version, topic,
                                  decode_stored(self.ledger.mapper, stored, self.as_text))


