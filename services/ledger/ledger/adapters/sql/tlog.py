"""Each CO's Merkle log (RFC 9162) kept in SQL: complete-subtree nodes plus a head row.

Appends add the new leaves' nodes and move the head (size, frontier, signed checkpoint) in
the caller's transaction, so the log can never disagree with the events it covers.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ledger.adapters.sql.pipeline import Pipeline
from ledger.adapters.sql.tables import checkpoints, log_heads, log_nodes
from ledger.log import merkle
from ledger.log.head import Head
from ledger.log.notes import Checkpoint, Signer


class SqlNodeStore:
    """merkle.NodeStore over ``ledger_log_nodes`` for one CO: one query per batch of keys ((level, idx) IN ...)."""

    def __init__(self, session: Session, org_id: str) -> None:
        self.session = session
        self.org_id = org_id

    def get_nodes(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = list(set(keys))
        found: dict[tuple[int, int], bytes] = {}
        for chunk_start in range(0, len(wanted), 200):
            chunk = wanted[chunk_start:chunk_start + 200]
            rows = self.session.execute(
                select(log_nodes.c.level, log_nodes.c.idx, log_nodes.c.hash).where(
                    log_nodes.c.org_id == self.org_id, tuple_(log_nodes.c.level, log_nodes.c.idx).in_(chunk)
                )
            )
            found.update({(lv, ix): bytes(h) for lv, ix, h in rows})
        return found


def read_head(session: Session, org_id: str) -> Head:
    row = session.execute(
        select(log_heads.c.size, log_heads.c.frontier, log_heads.c.checkpoint).where(log_heads.c.org_id == org_id)
    ).first()
    if row is None:
        return Head(0, [], None)
    return Head(int(row.size), [bytes.fromhex(h) for h in json.loads(row.frontier)], row.checkpoint)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_leaves(
    session: Session, org_id: str, leaf_hashes: list[bytes], signer: Signer, origin: str, moment: datetime,
    head: Head | None = None, writes: Pipeline | None = None,
) -> Head:
    """Add leaves to the CO's log, store the new nodes and a signed checkpoint (head and history); return the head.

    ``head``: the CO's head as the caller just read it in this transaction (read again when None).
    ``writes``: the append's pipeline, which sends these writes with the append's others (else at once).
    """
    head = read_head(session, org_id) if head is None else head
    own = writes is None
    writes = Pipeline(session) if writes is None else writes
    new_nodes, frontier = merkle.append_leaves(head.frontier, head.size, leaf_hashes)
    writes.insert(log_nodes, [{"org_id": org_id, "level": lv, "idx": ix, "hash": h}
                              for (lv, ix), h in new_nodes.items()])
    size = head.size + len(leaf_hashes)
    checkpoint = Checkpoint(origin, size, merkle.root_from_frontier(frontier), rfc3339(moment), ())
    note = signer.sign(checkpoint.body())
    writes.insert(checkpoints, [{"org_id": org_id, "size": size, "note": note}])
    values = {"size": size, "frontier": json.dumps([h.hex() for h in frontier]), "checkpoint": note}
    if head.size == 0 and head.checkpoint is None:
        writes.insert(log_heads, [{"org_id": org_id, **values}])
    else:
        writes.update(log_heads, values, {"org_id": org_id})
    if own:
        writes.flush()
    return Head(size, frontier, note)
