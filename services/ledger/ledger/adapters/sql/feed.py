"""The global feed for the read side: every stored event after a position, in log order, in pages."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ledger.adapters.sql.event_store import EventStore, engine_of, events_table
from ledger.adapters.sql.records import decode_stored
from ledger.adapters.sql.tables import entries
from ledger.log.record import event_type_from_topic


class Feed:
    """The global feed as ``facts_of`` reads it: every record's position, CO, type, envelope fields and data.

    The same values as ``Reader.records`` (decoded from the stored bytes as written),
    without what the facts do not use (event id, actor); cheaper to read in bulk.
    """

    def __init__(self, ledger: EventStore) -> None:
        self.ledger = ledger
        self.engine: Engine = engine_of(ledger)
        events = events_table(ledger)
        mapper = ledger.mapper
        self.as_text = self.engine.dialect.name == "postgresql" and not mapper.cipher and not mapper.compressor
        state = func.convert_from(events.c.state, "UTF8") if self.as_text else events.c.state
        self.query = (
            select(events.c.id, events.c.topic, state.label("state"))
            .join(entries, entries.c.position == events.c.id)
        )
        self.events = events
        self.entries_name = entries.name

    def last_position(self) -> int:
        """The log's last position (0 when empty)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(entries.c.position))).scalar() or 0)

    def records(self, after: int, limit: int) -> list[dict[str, Any]]:
        """The records after position ``after``, at most ``limit``, in log order."""
        return [self._record(*row) for row in self._rows(after, limit)]

    def pages(self, after: int, limit: int, pool: ThreadPoolExecutor | None = None) -> Iterator[list[dict[str, Any]]]:
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

    def _record(self, position: int, topic: str, stored: Any) -> dict[str, Any]:
        state = decode_stored(self.ledger.mapper, stored, self.as_text)
        envelope = state["envelope"]
        return {"position": position, "org_id": envelope["org_id"], "type": _type_of(topic),
                "entity_id": envelope["entity_id"], "effective_date": envelope["effective_date"],
                "recorded_at": state["timestamp"].isoformat(), "flags": envelope.get("flags", []),
                "data": state["data"]}


@lru_cache(maxsize=1024)
def _type_of(topic: str) -> str:
    return event_type_from_topic(topic)
