"""Append: one batch of a CO's events, checked, stored, indexed and logged in one transaction.

request -> catalogue entry -> payload contract -> rules (handler) -> entity events ->
event store (position) -> entries index + references + Merkle log + idempotency record.

The CO's append lock (``adapters.store.lock_org``) is taken first: the rules read the CO with no
other batch of the same CO in flight, so two batches at once cannot both pass a rule only one may.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from pydantic import ValidationError
from sqlalchemy import insert, select, text

from .adapters.store import Ledger, lock_org
from .adapters.tables import EVENTS_TABLE, closed_periods, entries, idempotency, organizations, references
from .checks import check_identity, check_references, cited_ids, version_error
from .context import BatchContext, cyclic_gc_paused
from .domain import catalog
from .domain.errors import Conflict, LedgerError, RuleViolation
from .domain.periods import Period
from .log import tlog
from .log.notes import Signer
from .records import decode_state, leaf_hash_of, record_from_stored
from .stored_events import FinalEntities, StoredEvents


@dataclass(frozen=True)
class EventRequest:
    """One event a client asks to append."""

    type: str
    entity_id: str
    effective_date: date
    data: dict[str, Any]
    expected_version: int | None = None


@dataclass
class AppendOutcome:
    """The append's response body, and whether it is a replay of an earlier identical request."""

    body: dict[str, Any]
    replayed: bool = False
    positions: list[int] = field(default_factory=list)


class BatchError(LedgerError):
    """A refusal of one event in a batch: carries the event's index; nothing was stored."""

    def __init__(self, index: int, cause: LedgerError) -> None:
        super().__init__(cause.rule, f"event {index}: {cause.detail}", index=index, **cause.values)
        self.status = cause.status
        self.title = cause.title
        self.index = index


class Appender:
    """Appends batches to the ledger; the only way events get in (API, seed-demo, tests)."""

    def __init__(self, ledger: Ledger, signer: Signer, log_origin: str) -> None:
        self.ledger = ledger
        self.signer = signer
        self.log_origin = log_origin
        self.finals = FinalEntities()
        """Entities that never change, read once from the store for all batches (``stored_events.FinalEntities``)."""
        self.stored = StoredEvents()
        """The stored events of the entities batches read, kept while their CO's log does not move."""

    def append(
        self,
        org_id: str,
        actor: str,
        requests: list[EventRequest],
        idempotency_key: str | None = None,
        request_hash: str = "",
        author: str = "cooperative",
    ) -> AppendOutcome:
        """Append all of ``requests`` or none; retry a lost race (holding the lock) when no version was expected."""
        if not requests:
            raise RuleViolation("batch-not-empty", f"a batch for {org_id} holds no event: send at least one",
                                org_id=org_id)
        for attempt in range(3):
            try:
                return self._append_once(org_id, actor, requests, idempotency_key, request_hash, author, attempt > 0)
            except (StoreIntegrityError, sqlalchemy.exc.IntegrityError):
                if idempotency_key:
                    replay = self._replay(org_id, idempotency_key, request_hash)
                    if replay is not None:
                        return replay
                if any(r.expected_version is not None for r in requests):
                    raise self._version_conflict(org_id, requests) from None
        raise Conflict("concurrent-append", "the batch lost three races with concurrent appends; retry it",
                       org_id=org_id)

    def _append_once(self, org_id: str, actor: str, requests: list[EventRequest],
                     idempotency_key: str | None, request_hash: str, author: str,
                     lock_first: bool = False) -> AppendOutcome:
        with cyclic_gc_paused(), self.ledger.recorder.datastore.transaction(commit=True) as session:  # type: ignore
            lock_org(session, org_id)
            if lock_first and session.get_bind().dialect.name == "postgresql":
                # A retry after a lost race reads and writes under the lock the store takes anyway.
                session.execute(text(f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE"))
            if idempotency_key:
                replay = self._find_replay(session, org_id, idempotency_key, request_hash)
                if replay is not None:
                    return replay
            head = tlog.read_head(session, org_id)  # current while the CO's lock is held
            kept = self.stored.at(org_id, (head.size, head.checkpoint))
            context = BatchContext(self.ledger, session, org_id, self.finals, kept)
            context.prefetch({r.entity_id for r in requests}, cited_ids(requests))
            pending, citations = [], []
            for index, request in enumerate(requests):
                try:
                    new_events, cited = self._decide(context, actor, idempotency_key, request, author)
                except LedgerError as exc:
                    raise BatchError(index, exc) from None
                pending.extend((index, event) for event in new_events)
                citations.append((new_events[0], catalog.CATALOG[request.type].entity.KIND, cited))
            recordings = self.ledger.save(*(event for _, event in pending))
            records = [
                record_from_stored(r.notification.id, r.notification.originator_id, r.notification.originator_version,
                                   r.notification.topic, decode_state(self.ledger.mapper, r.notification.state))
                for r in recordings
            ]
            body = self._store_indexes(session, org_id, head, pending, records, citations)
            if idempotency_key:
                session.execute(insert(idempotency).values(
                    org_id=org_id, key=idempotency_key, request_hash=request_hash,
                    response=json.dumps(body, ensure_ascii=False), recorded_at=recordings[-1].domain_event.timestamp,
                ))
            outcome = AppendOutcome(body, positions=[r["position"] for r in records])
        self.stored.advanced(org_id, kept, (body["log"]["tree_size"], body["log"]["checkpoint"]),
                             [(record["entity_id"], r.notification) for record, r in zip(records, recordings)])
        return outcome

    def _decide(self, context: BatchContext, actor: str, idempotency_key: str | None,
                request: EventRequest, author: str) -> tuple[list[Any], list[tuple[str, str]]]:
        """Check one request against the catalogue and the rules; return its new events and citations."""
        event_type = catalog.CATALOG.get(request.type)
        if event_type is None:
            if request.type in catalog.DERIVED:
                raise RuleViolation("derived-event-type", f"{request.type} is recorded by the ledger itself: "
                                    f"{catalog.DERIVED[request.type]}", type=request.type)
            raise RuleViolation("unknown-event-type", f"unknown event type {request.type!r}", type=request.type,
                                known=sorted(catalog.CATALOG))
        if event_type.author != author:
            raise RuleViolation("event-author", f"{request.type} is appended by an {event_type.author}, "
                                f"not by a {author}", type=request.type, author=event_type.author)
        try:
            payload = event_type.payload.model_validate(request.data)
        except ValidationError as exc:
            raise RuleViolation("payload-schema", f"{request.type} data is invalid: {_errors(exc)}",
                                type=request.type, errors=_error_list(exc)) from None
        context.effective_date = request.effective_date.isoformat()
        if event_type.name != "OrganizationRegistered":
            context.organization()
            context.refuse_if_closed(context.effective_date)
        entity = context.entity(request.entity_id)
        check_identity(event_type, entity, request)
        cited = check_references(context, event_type, payload)
        envelope = {
            "org_id": context.org_id,
            "entity_id": request.entity_id,
            "effective_date": request.effective_date.isoformat(),
            "actor": actor,
            "idempotency_key": idempotency_key,
            "schema_version": event_type.version,
            "flags": [],
        }
        changed = event_type.handler(context, entity, envelope, payload)
        context.keep(changed)
        new_events = list(changed.collect_events())
        context.cite((target, event_type.entity.KIND, request.entity_id) for _, target in cited)
        return new_events, cited

    def _store_indexes(self, session: Any, org_id: str, before: tlog.Head, pending: list[tuple[int, Any]],
                       records: list[dict[str, Any]], citations: list[tuple[Any, str, list[tuple[str, str]]]]) -> dict[str, Any]:
        leaf_hashes = [leaf_hash_of(r) for r in records]
        first_leaf = before.size
        head = tlog.append_leaves(session, org_id, leaf_hashes, self.signer,
                                  tlog.origin_for(self.log_origin, org_id), pending[-1][1].timestamp, before)
        session.execute(insert(entries), [
            {
                "position": rec["position"], "org_id": org_id, "entity_id": rec["entity_id"],
                "entity_version": rec["entity_version"], "type": rec["type"],
                "schema_version": rec["schema_version"], "effective_date": rec["effective_date"],
                "recorded_at": event.timestamp, "actor": rec["actor"], "idempotency_key": rec["idempotency_key"],
                "flagged": bool(rec["flags"]), "leaf_index": first_leaf + i, "leaf_hash": leaf_hashes[i],
            }
            for i, (rec, (_, event)) in enumerate(zip(records, pending))
        ])
        position_of = {id(event): rec["position"] for rec, (_, event) in zip(records, pending)}
        ref_rows = [
            {"position": position_of[id(first)], "field": fname, "target_id": target, "org_id": org_id,
             "entity_id": first.envelope["entity_id"], "entity_kind": kind}
            for first, kind, cited in citations for fname, target in cited
        ]
        if ref_rows:
            session.execute(insert(references), ref_rows)
        for rec in records:
            if rec["type"] == "OrganizationRegistered":
                session.execute(insert(organizations).values(
                    org_id=org_id, name=rec["data"]["name"], street=rec["data"]["street"], position=rec["position"]))
            elif rec["type"] == "PeriodClosed":
                period = Period.parse(rec["data"]["period"])
                session.execute(insert(closed_periods).values(
                    org_id=org_id, period=str(period), start_date=period.start.isoformat(),
                    end_date=period.end.isoformat(), position=rec["position"]))
        return {
            "events": [
                {
                    "index": index, "event_id": rec["event_id"], "type": rec["type"],
                    "entity_id": rec["entity_id"], "entity_version": rec["entity_version"],
                    "position": rec["position"], "recorded_at": rec["recorded_at"],
                    "effective_date": rec["effective_date"], "flags": rec["flags"],
                    "leaf_index": first_leaf + i, "leaf_hash": leaf_hashes[i].hex(),
                }
                for i, (rec, (index, _)) in enumerate(zip(records, pending))
            ],
            "log": {"tree_size": head.size, "root_hash": head.root.hex(), "checkpoint": head.checkpoint},
        }

    def _find_replay(self, session: Any, org_id: str, key: str, request_hash: str) -> AppendOutcome | None:
        row = session.execute(select(idempotency.c.request_hash, idempotency.c.response).where(
            idempotency.c.org_id == org_id, idempotency.c.key == key)).first()
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise Conflict("idempotency-key-reuse",
                           f"Idempotency-Key {key!r} was used before with a different request body",
                           idempotency_key=key)
        return AppendOutcome(json.loads(row.response), replayed=True)

    def _replay(self, org_id: str, key: str, request_hash: str) -> AppendOutcome | None:
        with self.ledger.recorder.datastore.transaction(commit=False) as session:  # type: ignore[attr-defined]
            return self._find_replay(session, org_id, key, request_hash)

    def _version_conflict(self, org_id: str, requests: list[EventRequest]) -> Conflict:
        with self.ledger.recorder.datastore.transaction(commit=False) as session:  # type: ignore[attr-defined]
            context = BatchContext(self.ledger, session, org_id)
            for request in requests:
                entity = context.entity(request.entity_id)
                actual = entity.version if entity is not None else 0
                if request.expected_version is not None and request.expected_version != actual:
                    return version_error(request, actual)
        return Conflict("concurrent-append", "a concurrent append changed an entity of this batch; retry",
                        org_id=org_id)


def _error_list(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in exc.errors()]


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{e['loc']}: {e['msg']}" for e in _error_list(exc))
