"""Append: one batch of a CO's events, decided, saved, indexed and logged in one transaction.

request -> ``decide`` (catalogue, contract, identity, references, rules) -> entity events ->
save (the store assigns positions) -> index (entries, references, registries) -> log (Merkle
leaves, signed checkpoint) -> idempotency record; all through ``ports.AppendStore``.

The store's transaction holds the CO's append lock from before the first read to the commit: the
rules read the CO with no other batch of the same CO in flight, so two batches at once cannot both
pass a rule only one may.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ledger.application.decide import EventRequest, cited_ids, decide, version_error
from ledger.application.group_commit import GroupCommitter
from ledger.application.ports import AppendStore, AppendTransaction, Citation, DecisionContext, StoreRace
from ledger.domain import catalog
from ledger.domain.errors import Conflict, LedgerError, RuleViolation
from ledger.log.head import Head, origin_for
from ledger.log.notes import Signer
from ledger.log.record import leaf_hash_of

__all__ = ["AppendOutcome", "Appender", "BatchError", "Build", "EventRequest"]

Build = Callable[[DecisionContext], list[EventRequest]]
"""Makes a batch's requests under the CO's lock, from the context the rules read."""


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

    def __init__(self, store: AppendStore, signer: Signer, log_origin: str,
                 group: GroupCommitter | None = None) -> None:
        self.store = store
        self.signer = signer
        self.log_origin = log_origin
        self.group = group
        """When set, batches share group transactions (``group_commit``); a retry after a lost race does not."""

    def append(
        self,
        org_id: str,
        actor: str,
        requests: list[EventRequest],
        idempotency_key: str | None = None,
        request_hash: str = "",
        author: str = "cooperative",
        build: Build | None = None,
    ) -> AppendOutcome:
        """Append all of ``requests`` or none; retry a lost race (holding the lock) when no version was expected.

        ``build``, when given, makes the requests inside the transaction, holding the CO's lock: a command
        computed from the books (the closing) reads them with no other batch of the CO in flight.
        """
        if build is not None:
            return self._append_once(org_id, actor, [], idempotency_key, request_hash, author, build=build)
        if not requests:
            raise RuleViolation("batch-not-empty", f"a batch for {org_id} holds no event: send at least one",
                                org_id=org_id)
        for attempt in range(3):
            try:
                return self._append_once(org_id, actor, requests, idempotency_key, request_hash, author, attempt > 0)
            except StoreRace:
                if idempotency_key:
                    with self.store.reading(org_id) as tx:
                        replay = _replay(tx, idempotency_key, request_hash)
                    if replay is not None:
                        return replay
                if any(r.expected_version is not None for r in requests):
                    raise self._version_conflict(org_id, requests) from None
        raise Conflict("concurrent-append", "the batch lost three races with concurrent appends; retry it",
                       org_id=org_id)

    def _append_once(self, org_id: str, actor: str, requests: list[EventRequest],
                     idempotency_key: str | None, request_hash: str, author: str,
                     serialized: bool = False, build: Build | None = None) -> AppendOutcome:
        def write(tx: AppendTransaction) -> AppendOutcome:
            return self._write(tx, org_id, actor, requests, idempotency_key, request_hash, author, build)

        if self.group is not None and not serialized and build is None:
            outcome: AppendOutcome = self.group.run(org_id, write)
            return outcome
        with self.store.transaction(org_id, serialized) as tx:
            return write(tx)

    def _write(self, tx: AppendTransaction, org_id: str, actor: str, requests: list[EventRequest],
               idempotency_key: str | None, request_hash: str, author: str, build: Build | None) -> AppendOutcome:
        if idempotency_key:
            replay = _replay(tx, idempotency_key, request_hash)
            if replay is not None:
                return replay
        if build is not None:
            requests = build(tx.context)
        before = tx.log_head()
        tx.context.prefetch({r.entity_id for r in requests}, cited_ids(requests))
        decided = []
        for index, request in enumerate(requests):
            try:
                decided.append((index, decide(tx.context, actor, idempotency_key, request, author)))
            except LedgerError as exc:
                raise BatchError(index, exc) from None
        pending = [(index, event) for index, decision in decided for event in decision.events]
        records = tx.save([event for _, event in pending])
        body = self._index_and_log(tx, org_id, before, pending, records, [d for _, d in decided])
        if idempotency_key:
            tx.remember(idempotency_key, request_hash, body, pending[-1][1].timestamp)
        return AppendOutcome(body, positions=[r.position for r in records])

    def _index_and_log(self, tx: AppendTransaction, org_id: str, before: Head, pending: list[tuple[int, Any]],
                       records: list[dict[str, Any]], decisions: list[Any]) -> dict[str, Any]:
        leaf_hashes = [leaf_hash_of(r) for r in records]
        first_leaf = before.size
        head = tx.append_to_log(leaf_hashes, self.signer, origin_for(self.log_origin, org_id),
                                pending[-1][1].timestamp, before)
        position_of = {id(event): rec.position for rec, (_, event) in zip(records, pending)}
        citations: list[Citation] = [
            (position_of[id(d.events[0])], fname, target, d.events[0].envelope["entity_id"], d.event_type.entity.KIND)
            for d in decisions for fname, target in d.cited
        ]
        registrations = []
        for rec in records:
            hook = catalog.CATALOG[rec.type].registers if rec.type in catalog.CATALOG else None
            if hook is not None:
                registry, row = hook(rec.data)
                registrations.append((registry, row, rec.position))
        tx.index(records, [event.timestamp for _, event in pending], first_leaf, leaf_hashes, citations,
                 registrations)
        return {
            "events": [
                {
                    "index": index, "event_id": rec.event_id, "type": rec.type,
                    "entity_id": rec.entity_id, "entity_version": rec.entity_version,
                    "position": rec.position, "recorded_at": rec.recorded_at,
                    "effective_date": rec.effective_date, "flags": rec.flags,
                    "leaf_index": first_leaf + i, "leaf_hash": leaf_hashes[i].hex(),
                }
                for i, (rec, (index, _)) in enumerate(zip(records, pending))
            ],
            "log": {"tree_size": head.size, "root_hash": head.root.hex(), "checkpoint": head.checkpoint},
        }

    def _version_conflict(self, org_id: str, requests: list[EventRequest]) -> Conflict:
        with self.store.reading(org_id) as tx:
            for request in requests:
                entity = tx.context.entity(request.entity_id)
                actual = entity.version if entity is not None else 0
                if request.expected_version is not None and request.expected_version != actual:
                    return version_error(request, actual)
        return Conflict("concurrent-append", "a concurrent append changed an entity of this batch; retry",
                        org_id=org_id)


def _replay(tx: AppendTransaction, key: str, request_hash: str) -> AppendOutcome | None:
    """The stored answer to an earlier request with this Idempotency-Key; 409 if its body differed."""
    found = tx.replay_of(key)
    if found is None:
        return None
    stored_hash, response = found
    if stored_hash != request_hash:
        raise Conflict("idempotency-key-reuse", f"Idempotency-Key {key!r} was used before with a different "
                       "request body", idempotency_key=key)
    return AppendOutcome(response, replayed=True)
