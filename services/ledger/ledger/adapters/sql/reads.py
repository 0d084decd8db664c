"""Reading the ledger back: a CO's events in log order, an entity's state and history, the feed."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Engine

from ledger.adapters.sql.event_store import EventStore, engine_of, events_table
from ledger.adapters.sql.records import decode_stored, record_from_stored
from ledger.adapters.sql.tables import closed_periods, entries, log_heads, organizations
from ledger.domain.entity import Entity, entity_uuid
from ledger.domain.errors import NotFound
from ledger.log.record import Record


class Reader:
    """Queries over the event store and its index; every answer is in log (position) order."""

    def __init__(self, ledger: EventStore) -> None:
        self.ledger = ledger
        self.engine: Engine = engine_of(ledger)
        self.events = events_table(ledger)
        self._registered: dict[str, dict[str, Any]] = {}
        """Registration rows found (the table is append-only: a row found never changes)."""

    def ping(self) -> str:
        """One round trip to the database; its dialect name (raises the driver's error when it is down)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return str(self.engine.dialect.name)

    def organization(self, org_id: str) -> dict[str, Any]:
        """The CO's registration row (name, street, position); read once per process, as it never changes."""
        if org_id not in self._registered:
            with self.engine.connect() as conn:
                row = conn.execute(select(organizations).where(organizations.c.org_id == org_id)).first()
            if row is None:
                raise NotFound("organization-exists", f"organization {org_id} is not registered", org_id=org_id)
            self._registered[org_id] = dict(row._mapping)
        return dict(self._registered[org_id])

    def organizations(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(organizations).order_by(organizations.c.org_id)).all()
        return [dict(r._mapping) for r in rows]

    def records(self, *, org_ids: list[str] | None = None, after: int = 0, limit: int = 100,
                type: str | None = None, entity_id: str | None = None, upto: int | None = None,
                flagged: bool | None = None, effective_until: str | None = None) -> list[Record]:
        """Stored-form records in position order, filtered; ``org_ids=None`` means every CO."""
        query = (
            select(entries.c.position, self.events.c.originator_id, self.events.c.originator_version,
                   self.events.c.topic, self.events.c.state)
            .join(self.events, self.events.c.id == entries.c.position)
            .where(entries.c.position > after)
            .order_by(entries.c.position)
            .limit(limit)
        )
        if org_ids is not None:
            query = query.where(entries.c.org_id.in_(org_ids))
        if type:
            query = query.where(entries.c.type == type)
        if entity_id:
            query = query.where(entries.c.entity_id == entity_id)
        if upto is not None:
            query = query.where(entries.c.position <= upto)
        if flagged is not None:
            query = query.where(entries.c.flagged.is_(flagged))
        if effective_until is not None:
            query = query.where(entries.c.effective_date <= effective_until)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._decode(row) for row in rows]

    def iter_records(self, org_id: str, page: int = 5000) -> Iterator[Record]:
        """Every record of one CO, streamed page by page."""
        after = 0
        while True:
            batch = self.records(org_ids=[org_id], after=after, limit=page)
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1].position

    def last_position(self) -> int:
        """The log's last position (0 when empty)."""
        with self.engine.connect() as conn:
            return int(conn.execute(_LAST_POSITION).scalar() or 0)

    def first_position_after(self, moment: datetime) -> int | None:
        """The first position recorded after ``moment``, if any."""
        with self.engine.connect() as conn:
            found = conn.execute(select(func.min(entries.c.position)).where(entries.c.recorded_at > moment)).scalar()
        return None if found is None else int(found)

    def last_entry_at(self, org_id: str, position: int) -> dict[str, Any] | None:
        """The CO's last index entry at or before ``position`` (position, leaf_index, recorded_at): one probe."""
        with self.engine.connect() as conn:
            row = conn.execute(_LAST_ENTRY_AT, {"org_id": org_id, "position": position}).first()
        return None if row is None else dict(row._mapping)

    def log_position(self, org_id: str) -> tuple[int, int, str | None]:
        """(tree size, position of the CO's last event, latest checkpoint) of the CO's log now."""
        with self.engine.connect() as conn:
            head = conn.execute(select(log_heads.c.size, log_heads.c.checkpoint)
                                .where(log_heads.c.org_id == org_id)).first()
            size = int(head.size) if head is not None else 0
            position = conn.execute(select(entries.c.position).where(
                entries.c.org_id == org_id, entries.c.leaf_index == size - 1)).scalar()
        return size, int(position or 0), head.checkpoint if head is not None else None

    def closing_position(self, org_id: str, period: str) -> int | None:
        """The position of the PeriodClosed event of a closed period, or None."""
        with self.engine.connect() as conn:
            position = conn.execute(select(closed_periods.c.position).where(
                closed_periods.c.org_id == org_id, closed_periods.c.period == period)).scalar()
        return None if position is None else int(position)

    def closed_periods(self, org_id: str) -> list[dict[str, Any]]:
        """The CO's closed periods (period, start and end dates, position of the PeriodClosed event)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(closed_periods).where(closed_periods.c.org_id == org_id)
                                .order_by(closed_periods.c.start_date, closed_periods.c.end_date)).all()
        return [dict(r._mapping) for r in rows]

    def effective_span(self, org_ids: list[str], leave_out: tuple[str, ...] = ()) -> tuple[str, str] | None:
        """The earliest and latest effective dates of the COs' events (ISO dates) but those of the types left
        out; None when they have none."""
        with self.engine.connect() as conn:
            first, last = conn.execute(select(func.min(entries.c.effective_date), func.max(entries.c.effective_date))
                                       .where(entries.c.org_id.in_(org_ids), entries.c.type.not_in(leave_out))).one()
        return None if first is None else (str(first), str(last))

    def entity(self, org_id: str, entity_id: str) -> Entity:
        try:
            found: Entity = self.ledger.repository.get(entity_uuid(org_id, entity_id))
        except AggregateNotFoundError:
            raise NotFound("entity-exists", f"{org_id} has no entity {entity_id!r}", org_id=org_id,
                           entity_id=entity_id) from None
        return found

    def _decode(self, row: Any) -> Record:
        return record_from_stored(row.position, row.originator_id, row.originator_version, row.topic,
                                  decode_stored(self.ledger.mapper, row.state, as_text=False))


# Statements asked with every view, made once (building one costs about as much as running it)
_LAST_ENTRY_AT = (select(entries.c.position, entries.c.leaf_index, entries.c.recorded_at)
                  .where(entries.c.org_id == bindparam("org_id"), entries.c.position <= bindparam("position"))
                  .order_by(entries.c.position.desc()).limit(1))
_LAST_POSITION = select(func.max(entries.c.position))
