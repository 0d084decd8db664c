"""The context a batch of appends sees: the CO's entities as they stand, this batch included.

Reads are batched: the entities a batch names (and those citing them) are loaded from the event
store in one query per 500 ids, not one per entity (or rebuilt from the events an earlier batch of
this process read or wrote, ``stored_events``, when the CO's log has not moved since), and each
(target, kind) citation lookup reads the references table once per batch. Nothing the batch itself
writes is in the database before the batch's decisions are made, so what was read stays true for the
whole batch; the batch's own events are seen through ``loaded`` (the entities as the batch left
them) and the citations it recorded (``cite``).
"""
from __future__ import annotations

from bisect import insort
from collections.abc import Mapping
from typing import Any, Iterable, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.adapters.sql.entity_cache import CoEvents, FinalEntities
from ledger.adapters.sql.event_store import EventStore, events_table
from ledger.adapters.sql.tables import closed_periods, references
from ledger.domain.entity import Entity, entity_uuid
from ledger.domain.errors import Conflict, NotFound

CHUNK = 500
"""Ids per IN (...) list."""


class BatchContext:
    """Implements domain.catalog.Context inside one append transaction of one CO."""

    def __init__(self, ledger: EventStore, session: Session, org_id: str, finals: FinalEntities | None = None,
                 stored: CoEvents | None = None) -> None:
        self.ledger = ledger
        self.session = session
        self.org_id = org_id
        self.finals = finals
        self.stored = stored
        """The CO's stored events kept from earlier batches, current at the log size this batch read."""
        self.effective_date = ""
        self.loaded: dict[str, Entity | None] = {}
        self._closed: list[tuple[str, str, str]] | None = None
        self._stored_citations: dict[tuple[str, str], set[str]] = {}
        """(target_id, citing kind) -> citing entity ids in the database (read once per batch)."""
        self._prefetched_targets: set[str] = set()
        """Targets whose stored citations of every kind were read (absent keys mean none)."""
        self._batch_citations: dict[tuple[str, str], set[str]] = {}
        """(target_id, citing kind) -> citing entity ids recorded earlier in this batch."""
        self._citing_ids: dict[tuple[str, str], list[str]] = {}
        """(target_id, citing kind) -> every citing entity id, sorted (kept up to date by ``cite``)."""
        self._totals: dict[tuple[str, str], dict[tuple[str, str], _Total]] = {}
        """(target_id, citing kind) -> (attribute, by) -> its running totals over the citing entities."""
        self._counted_in: dict[str, list[_Total]] = {}
        """entity id -> the running totals that count it (kept up to date by ``keep``)."""

    def cite(self, citations: Iterable[tuple[str, str, str]]) -> None:
        """Record (target_id, citing kind, citing entity_id) citations made by this batch's events."""
        for target, kind, source in citations:
            sources = self._batch_citations.setdefault((target, kind), set())
            ids = self._citing_ids.get((target, kind))
            if ids is not None and source not in sources and source not in self._stored_citations[(target, kind)]:
                insort(ids, source)
                for total in self._totals.get((target, kind), {}).values():
                    self._count(total, source)
            sources.add(source)

    def citing_totals(self, entity_id: str, kind: str, attribute: str, by: str) -> tuple[int, Mapping[str, int]]:
        """``attribute`` summed over ``citing(entity_id, kind)``, in all and per value of ``by``: summed once
        per batch, then kept running as the batch cites and changes entities."""
        totals = self._totals.setdefault((entity_id, kind), {})
        if (attribute, by) not in totals:
            total = totals[(attribute, by)] = _Total(attribute, by)
            for entity in self.citing(entity_id, kind):
                self._count(total, entity.entity_id)
        total = totals[(attribute, by)]
        return total.value, total.groups

    def _count(self, total: _Total, source: str) -> None:
        total.add(source, self.loaded.get(source))
        self._counted_in.setdefault(source, []).append(total)

    def prefetch(self, entity_ids: set[str], cited_ids: Iterable[str] = ()) -> None:
        """Load the batch's entities (and the ids its payloads cite) in a few queries; new ids read as None.

        The citations of all these ids are read too, so the rules looking for "who cites X" need
        no query per event.
        """
        wanted = {self.org_id} | set(entity_ids) | {i for i in cited_ids if isinstance(i, str) and i}
        self._load(wanted)
        self._prefetch_citations(wanted)

    def entity(self, entity_id: str) -> Entity | None:
        if entity_id not in self.loaded:
            self._load([entity_id])
        return self.loaded[entity_id]

    def citing(self, entity_id: str, kind: str) -> list[Entity]:
        key = (entity_id, kind)
        ids = self._citing_ids.get(key)
        if ids is None:
            stored = self._stored_citations.get(key)
            if stored is None:
                if entity_id in self._prefetched_targets:
                    stored = set()
                else:
                    stored = set(self.session.execute(
                        select(references.c.entity_id)
                        .where(references.c.org_id == self.org_id, references.c.target_id == entity_id,
                               references.c.entity_kind == kind)
                        .distinct()
                    ).scalars())
                self._stored_citations[key] = stored
            ids = self._citing_ids[key] = sorted(stored | self._batch_citations.get(key, set()))
            self._load(ids)
        found = [self.loaded.get(i) for i in ids]
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
        for total in self._counted_in.get(entity.entity_id, ()):
            total.add(entity.entity_id, entity)  # an entity already counted changed: count its new value

    def _load(self, entity_ids: Iterable[str]) -> None:
        """Reconstruct entities from their stored events, CHUNK ids per query (as repository.get does, in bulk)."""
        wanted = sorted({i for i in entity_ids if i not in self.loaded})
        if self.finals is not None and wanted:
            kept = {i: e for i in wanted if (e := self.finals.get(self.org_id, i)) is not None}
            self.loaded.update(kept)
            wanted = [i for i in wanted if i not in kept]
        if self.stored is not None and wanted:
            wanted = self._from_stored(self.stored, wanted)
        if not wanted:
            return
        table = events_table(self.ledger)
        mapper = self.ledger.mapper
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            id_of = {entity_uuid(self.org_id, entity_id): entity_id for entity_id in chunk}
            rows = self.session.execute(
                select(table.c.originator_id, table.c.originator_version, table.c.topic, table.c.state)
                .where(table.c.originator_id.in_(list(id_of)))
                .order_by(table.c.originator_id, table.c.originator_version)
            )
            events: dict[str, list[Any]] = {}
            sizes: dict[str, int] = {}
            for row in rows:
                state = row.state if isinstance(row.state, bytes) else bytes(row.state)
                entity_id = id_of[_as_uuid(row.originator_id, id_of)]
                events.setdefault(entity_id, []).append(mapper.to_domain_event(StoredEvent(
                    originator_id=row.originator_id, originator_version=row.originator_version, topic=row.topic,
                    state=state)))
                sizes[entity_id] = sizes.get(entity_id, 0) + len(state)
            for entity_id in chunk:
                self._rebuilt(entity_id, events.get(entity_id, ()), sizes.get(entity_id, 0))

    def _from_stored(self, stored: CoEvents, wanted: list[str]) -> list[str]:
        """Rebuild the wanted entities the CO's kept stored events hold; return the others."""
        mapper = self.ledger.mapper
        found = {i: stored.entries[i] for i in wanted if i in stored.entries}
        for entity_id, events in found.items():
            if any(isinstance(e, StoredEvent) for e in events):  # appended by an earlier batch: decode once
                events = [mapper.to_domain_event(e) if isinstance(e, StoredEvent) else e for e in events]
            self._rebuilt(entity_id, events, None)
        return [i for i in wanted if i not in found]

    def _rebuilt(self, entity_id: str, events: Sequence[Any], stored_bytes: int | None) -> None:
        """The entity its stored events make (None: no events), kept as final or with its events for later batches."""
        entity = self.loaded[entity_id] = _project(events) if events else None
        if entity is not None and self.finals is not None and self.finals.offer(self.org_id, entity):
            if self.stored is not None:
                self.stored.drop(entity_id)  # kept whole among the finals
        elif self.stored is not None:
            self.stored.keep(entity_id, events, stored_bytes)

    def _prefetch_citations(self, targets: set[str]) -> None:
        """Read every stored citation of ``targets`` (any citing kind) in CHUNK-sized queries."""
        wanted = sorted(targets - self._prefetched_targets)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            rows = self.session.execute(
                select(references.c.target_id, references.c.entity_kind, references.c.entity_id)
                .where(references.c.org_id == self.org_id, references.c.target_id.in_(chunk))
            )
            found: dict[tuple[str, str], set[str]] = {}
            for target, kind, source in rows:
                found.setdefault((target, kind), set()).add(source)
            for key, sources in found.items():
                self._stored_citations.setdefault(key, set()).update(sources)
        self._prefetched_targets.update(wanted)


class _Total:
    """A running sum of one attribute over citing entities, in all and per group (the value of ``by``);
    each entity counted once, at its latest value."""

    def __init__(self, attribute: str, by: str) -> None:
        self.attribute, self.by = attribute, by
        self.counted: dict[str, tuple[Any, int]] = {}
        self.groups: dict[Any, int] = {}
        self.value = 0

    def add(self, entity_id: str, entity: Entity | None) -> None:
        group, value = (getattr(entity, self.by, None), int(getattr(entity, self.attribute, 0) or 0)) \
            if entity is not None else (None, 0)
        old_group, old_value = self.counted.get(entity_id, (None, 0))
        if entity_id in self.counted:
            self.groups[old_group] -= old_value
        self.counted[entity_id] = (group, value)
        self.groups[group] = self.groups.get(group, 0) + value
        self.value += value - old_value


def _project(events: Iterable[Any]) -> Entity:
    """The aggregate its events make, applied in order (what the library's ``project_aggregate`` does)."""
    aggregate = None
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate  # type: ignore[return-value]


def _as_uuid(value: Any, id_of: dict[Any, str]) -> Any:
    """The stored originator id as the key type of ``id_of`` (UUID; SQLite may hand back a str)."""
    return value if value in id_of else UUID(str(value))
