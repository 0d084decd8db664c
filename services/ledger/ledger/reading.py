"""Reading the ledger back: a CO's events in log order, an entity's state and history, the feed."""
from __future__ import annotations

from typing import Any, Iterator

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from .adapters.store import Ledger, engine_of, events_table
from .adapters.tables import entries, organizations
from .domain.entity import Entity, entity_uuid
from .domain.errors import NotFound
from .records import decode_state, record_from_stored


class Reader:
    """Queries over the event store and its index; every answer is in log (position) order."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.engine: Engine = engine_of(ledger)
        self.events = events_table(ledger)
        self._registered: dict[str, dict[str, Any]] = {}
        """Registration rows found (the table is append-only: a row found never changes)."""

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
                type: str | None = None, entity_id: str | None = None, upto: int | None = None) -> list[dict[str, Any]]:
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
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._decode(row) for row in rows]

    def iter_records(self, org_id: str, page: int = 5000) -> Iterator[dict[str, Any]]:
        """Every record of one CO, streamed page by page."""
        after = 0
        while True:
            batch = self.records(org_ids=[org_id], after=after, limit=page)
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1]["position"]

    def entity(self, org_id: str, entity_id: str) -> Entity:
        try:
            found: Entity = self.ledger.repository.get(entity_uuid(org_id, entity_id))
        except AggregateNotFoundError:
            raise NotFound("entity-exists", f"{org_id} has no entity {entity_id!r}", org_id=org_id,
                           entity_id=entity_id) from None
        return found

    def _decode(self, row: Any) -> dict[str, Any]:
        state = row.state if isinstance(row.state, bytes) else bytes(row.state)
        return record_from_stored(row.position, row.originator_id, row.originator_version, row.topic,
                                  decode_state(self.ledger.mapper, state))
