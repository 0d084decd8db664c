"""The context a batch of appends sees: the CO's entities as they stand, this batch included."""
from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .adapters.store import Ledger
from .adapters.tables import closed_periods, entries, references
from .domain.entity import Entity, entity_uuid
from .domain.errors import Conflict, NotFound


class BatchContext:
    """Implements domain.catalog.Context inside one append transaction of one CO."""

    def __init__(self, ledger: Ledger, session: Session, org_id: str) -> None:
        self.ledger = ledger
        self.session = session
        self.org_id = org_id
        self.effective_date = ""
        self.loaded: dict[str, Entity | None] = {}
        self._closed: list[tuple[str, str, str]] | None = None
        self.pending_citations: list[tuple[str, str, str]] = []
        """(target_id, citing kind, citing entity_id) recorded earlier in this batch."""

    def prefetch(self, entity_ids: set[str]) -> None:
        """Mark the ids that have no event yet as new, in one query, so they need no store read."""
        wanted = sorted(set(entity_ids) - set(self.loaded))
        existing: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            existing.update(self.session.execute(
                select(entries.c.entity_id).where(entries.c.org_id == self.org_id, entries.c.entity_id.in_(chunk))
                .distinct()).scalars())
        self.loaded.update({entity_id: None for entity_id in wanted if entity_id not in existing})

    def entity(self, entity_id: str) -> Entity | None:
        if entity_id not in self.loaded:
            try:
                found: Any = self.ledger.repository.get(entity_uuid(self.org_id, entity_id))
            except AggregateNotFoundError:
                found = None
            self.loaded[entity_id] = found
        return self.loaded[entity_id]

    def citing(self, entity_id: str, kind: str) -> list[Entity]:
        rows = self.session.execute(
            select(references.c.entity_id)
            .where(
                references.c.org_id == self.org_id,
                references.c.target_id == entity_id,
                references.c.entity_kind == kind,
            )
            .distinct()
        ).scalars()
        ids = set(rows) | {src for target, k, src in self.pending_citations if target == entity_id and k == kind}
        found = [self.entity(i) for i in sorted(ids)]
        return [e for e in found if e is not None]

    def organization(self) -> Entity:
        org = self.entity(self.org_id)
        if org is None:
            raise NotFound("organization-exists", f"organization {self.org_id} is not registered", org_id=self.org_id)
        return org

    def refuse_if_closed(self, effective_date: str) -> None:
        """Events dated inside a closed period are refused: correct them in an open period."""
        if self._closed is None:
            rows = self.session.execute(
                select(closed_periods.c.period, closed_periods.c.start_date, closed_periods.c.end_date)
                .where(closed_periods.c.org_id == self.org_id)
            ).all()
            self._closed = [(r.period, r.start_date, r.end_date) for r in rows]
        for period, start, end in self._closed:
            if start <= effective_date <= end:
                raise Conflict("period-closed", f"{self.org_id} closed period {period} ({start}..{end}); an event "
                               f"dated {effective_date} cannot go into it: date the correction in an open period "
                               "and cite what it corrects (adjusts)", period=period, effective_date=effective_date)

    def keep(self, entity: Entity) -> None:
        self.loaded[entity.entity_id] = entity
