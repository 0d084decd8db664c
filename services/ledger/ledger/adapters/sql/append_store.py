"""The append path's storage: one SQL transaction per batch (``application.ports.AppendStore``).

In one transaction, under the CO's append lock: the idempotency lookup, the CO's log head, the
entities the rules read (``BatchContext``), the events (the eventsourcing store assigns their
positions), the entries index, the references, the registry rows, the Merkle leaves with a signed
checkpoint and the idempotency record (these after the events' insert kept in a ``Pipeline`` and sent
in one round trip on PostgreSQL), then the inline projection's facts. The kept stored events
(``entity_cache``) move on to the log's new version only after the commit.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError as EventStoreIntegrityError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.adapters.sql import failover, tlog
from ledger.adapters.sql.batch_context import BatchContext
from ledger.adapters.sql.entity_cache import CoEvents, FinalEntities, StoredEvents
from ledger.adapters.sql.event_store import EventStore, engine_of, lock_org
from ledger.adapters.sql.pipeline import Pipeline
from ledger.adapters.sql.records import record_of
from ledger.adapters.sql.tables import (
    EVENTS_TABLE,
    closed_periods,
    entries,
    idempotency,
    organizations,
    references,
)
from ledger.application.ports import Citation, StoreRace
from ledger.log.head import Head
from ledger.log.notes import Signer
from ledger.log.record import Record
from ledger.runtime import cyclic_gc_paused

Inline = Callable[[Session, str, Sequence[Record]], None]
"""A hook writing a batch's read-model rows in its transaction (``projections.inline.InlineProjection``)."""

REGISTRIES = {"organization": organizations, "closed_period": closed_periods}
"""``EventType.registers`` names -> the table that keeps one row per registered thing."""


class SqlAppendTransaction:
    """``application.ports.AppendTransaction`` over one SQLAlchemy session of the event store."""

    def __init__(self, store: EventStore, session: Session, org_id: str, context: BatchContext,
                 inline: Inline | None = None) -> None:
        self.store = store
        self.inline = inline
        self.session = session
        self.org_id = org_id
        self.context = context
        self.head: Head | None = None
        self.version: tuple[int, str | None] | None = None
        """The log's (size, checkpoint) after this batch: the kept stored events' next version."""
        self.saved: list[tuple[str, Any]] = []
        """(entity id, stored notification) of every event saved, for the kept stored events."""
        self.writes = Pipeline(session)
        """The batch's writes after the events' insert, sent together by ``finish``."""
        self.indexed: list[Record] = []
        """The records indexed, for the inline projection once the writes are sent."""

    def replay_of(self, key: str) -> tuple[str, dict[str, Any]] | None:
        row = self.session.execute(select(idempotency.c.request_hash, idempotency.c.response).where(
            idempotency.c.org_id == self.org_id, idempotency.c.key == key)).first()
        return None if row is None else (row.request_hash, json.loads(row.response))

    def log_head(self) -> Head:
        if self.head is None:
            self.head = tlog.read_head(self.session, self.org_id)
        return self.head

    def save(self, events: Sequence[Any]) -> list[Record]:
        recordings = self.store.save(*events)
        records = [record_of(r.notification, r.domain_event) for r in recordings]
        self.saved.extend((record.entity_id, r.notification) for record, r in zip(records, recordings))
        return records

    def index(self, records: Sequence[Record], recorded: Sequence[datetime], first_leaf: int,
              leaf_hashes: Sequence[bytes], citations: Sequence[Citation],
              registrations: Sequence[tuple[str, dict[str, Any], int]]) -> None:
        self.writes.insert(entries, [
            {
                "position": rec.position, "org_id": self.org_id, "entity_id": rec.entity_id,
                "entity_version": rec.entity_version, "type": rec.type,
                "schema_version": rec.schema_version, "effective_date": rec.effective_date,
                "recorded_at": at, "actor": rec.actor, "idempotency_key": rec.idempotency_key,
                "flagged": bool(rec.flags), "leaf_index": first_leaf + i, "leaf_hash": leaf_hashes[i],
            }
            for i, (rec, at) in enumerate(zip(records, recorded))
        ])
        self.writes.insert(references, [
            {"position": position, "field": field, "target_id": target, "org_id": self.org_id,
             "entity_id": source, "entity_kind": kind}
            for position, field, target, source, kind in citations
        ])
        by_registry: dict[str, list[dict[str, Any]]] = {}
        for registry, row, position in registrations:  # one multi-row insert per registry table
            by_registry.setdefault(registry, []).append({"org_id": self.org_id, "position": position, **row})
        for registry, rows in by_registry.items():
            self.writes.insert(REGISTRIES[registry], rows)
        self.indexed.extend(records)

    def append_to_log(self, leaf_hashes: list[bytes], signer: Signer, origin: str, moment: datetime,
                      before: Head) -> Head:
        after = tlog.append_leaves(self.session, self.org_id, leaf_hashes, signer, origin, moment, before,
                                   self.writes)
        self.version = (after.size, after.checkpoint)
        return after

    def remember(self, key: str, request_hash: str, body: dict[str, Any], recorded_at: datetime) -> None:
        self.writes.insert(idempotency, [{
            "org_id": self.org_id, "key": key, "request_hash": request_hash,
            "response": json.dumps(body, ensure_ascii=False), "recorded_at": recorded_at,
        }])

    def finish(self) -> None:
        """Send the batch's kept writes, then write its read-model facts (the inline projection), before
        the commit (or the group member's savepoint release)."""
        self.writes.flush()
        if self.inline is not None and self.indexed:
            self.inline(self.session, self.org_id, self.indexed)


class SqlAppendStore:
    """``application.ports.AppendStore`` on the event store's database (SQLite or PostgreSQL)."""

    def __init__(self, store: EventStore, require_standby: bool = False, standby_wait_s: float = 1.0,
                 inline: Inline | None = None) -> None:
        self.store = store
        self.inline = inline
        """Called with (session, CO, records) once a batch is indexed, before its commit: the inline
        projection (``LEDGER_INLINE_PROJECTION``), wired by ``bootstrap``."""
        self.require_standby = require_standby and engine_of(store).dialect.name == "postgresql"
        """Confirm each commit reached a standby before it is acknowledged (``failover.confirm_replicated``)."""
        self.standby_wait_s = standby_wait_s
        self.finals = FinalEntities()
        """Entities that never change, read once from the store for all batches."""
        self.stored = StoredEvents()
        """The stored events of the entities batches read, kept while their CO's log does not move."""

    @contextmanager
    def transaction(self, org_id: str, serialized: bool = False) -> Iterator[SqlAppendTransaction]:
        with _races_named(), cyclic_gc_paused(), \
                self.store.recorder.datastore.transaction(commit=True) as session:  # type: ignore[attr-defined]
            lock_org(session, org_id)
            if serialized and session.get_bind().dialect.name == "postgresql":
                # A retry after a lost race reads and writes under the lock the store takes anyway.
                session.execute(text(f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE"))
            head = tlog.read_head(session, org_id)  # current while the CO's lock is held
            kept: CoEvents = self.stored.at(org_id, (head.size, head.checkpoint))
            tx = SqlAppendTransaction(self.store, session, org_id,
                                      BatchContext(self.store, session, org_id, self.finals, kept), self.inline)
            tx.head = head
            yield tx
            tx.finish()
        if tx.saved and tx.version is not None:
            self.stored.advanced(org_id, kept, tx.version, tx.saved)
        if self.require_standby:  # what was stored, or the stored answer a replay returns, is on a standby
            failover.confirm_replicated(engine_of(self.store), self.standby_wait_s)

    @contextmanager
    def group(self) -> Iterator[SqlTransactionGroup]:
        """One transaction for a group of appends (``application.group_commit``), committed once."""
        group: SqlTransactionGroup | None = None
        try:
            with cyclic_gc_paused(), \
                    self.store.recorder.datastore.transaction(commit=True) as session:  # type: ignore[attr-defined]
                if session.get_bind().dialect.name == "sqlite":
                    # pysqlite begins a transaction only before a write: a savepoint first would be the
                    # transaction, and its release a commit.
                    session.connection().exec_driver_sql("BEGIN")
                group = SqlTransactionGroup(self, session)
                yield group
        except BaseException:
            if group is not None:
                group.forget()
            raise
        for org_id, kept, tx in group.released:
            if tx.saved and tx.version is not None:
                self.stored.advanced(org_id, kept, tx.version, tx.saved)
        if self.require_standby:
            failover.confirm_replicated(engine_of(self.store), self.standby_wait_s)

    @contextmanager
    def reading(self, org_id: str) -> Iterator[SqlAppendTransaction]:
        with self.store.recorder.datastore.transaction(commit=False) as session:  # type: ignore[attr-defined]
            yield SqlAppendTransaction(self.store, session, org_id, BatchContext(self.store, session, org_id))


class SqlTransactionGroup:
    """``application.ports.TransactionGroup``: the appends of a group, one savepoint each, in one session."""

    def __init__(self, owner: SqlAppendStore, session: Session) -> None:
        self.owner = owner
        self.session = session
        self.released: list[tuple[str, CoEvents, SqlAppendTransaction]] = []
        """(CO, kept stored events it read, its transaction) of each append whose savepoint was released."""
        self.cos: set[str] = set()

    @contextmanager
    def member(self, org_id: str) -> Iterator[SqlAppendTransaction]:
        owner = self.owner
        self.cos.add(org_id)
        with _races_named(), self.session.begin_nested():
            lock_org(self.session, org_id)  # held to the group's commit
            head = tlog.read_head(self.session, org_id)
            kept = owner.stored.at(org_id, (head.size, head.checkpoint))
            tx = SqlAppendTransaction(owner.store, self.session, org_id,
                                      BatchContext(owner.store, self.session, org_id, owner.finals, kept), owner.inline)
            tx.head = head
            yield tx
            tx.finish()
        self.released.append((org_id, kept, tx))

    def forget(self) -> None:
        """The group did not commit: what its appends read of one another's writes must not stay kept."""
        for org_id in self.cos:
            self.owner.stored.forget(org_id)
            self.owner.finals.forget(org_id)


@contextmanager
def _races_named() -> Iterator[None]:
    """A unique-key refusal from the store is a lost race to the application."""
    try:
        yield
    except (EventStoreIntegrityError, sqlalchemy.exc.IntegrityError) as exc:
        raise StoreRace(str(exc)) from exc
