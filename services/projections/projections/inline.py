"""The inline projection (``LEDGER_INLINE_PROJECTION``): an append writes its facts in its own transaction.

Called by the append store once a batch's events, index and log rows are written, before the commit
(``SqlAppendStore(inline=...)``). The facts and totals are ``facts.facts_of``'s, written by the same
``store`` functions as the follower's; so a view is current the moment an append commits.

On PostgreSQL all of it is one statement string, one round trip (``store.write_inline_block``).
It writes only when the active generation has projected exactly everything before this batch: its
tracking position is the log's last position before the batch's first (read under the store's
table lock, so no other append is in between). Then it moves the tracking position to the batch's
last, in the same transaction: the batch, its facts and the new position commit or roll back
together (a refused batch in a group rolls back to its savepoint, its facts with it). Otherwise (the
follower is behind, a rebuild is swapping in, the generation predates the totals, the write failed in
its savepoint) it writes nothing and the append goes on: the follower catches up as before. Its
batch's tracking move is conditional on the position it read (``store.advance_tracking``), so the
two never write the same facts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ledger.log.record import Record
from projections.facts import facts_of_records
from projections.store import read_model as store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class InlineProjection:
    """The hook: ``inline(session, org_id, records)``; counts what it wrote and what it left to the follower.

    On PostgreSQL the write is one round trip (``store.write_inline_block``), for the active generation
    as last seen (kept here, checked in the block, read again after a batch it could not write).
    """

    def __init__(self) -> None:
        self.written = 0
        self.left = 0
        self._generation: dict[str, int] = {}
        """The active generation last seen, per database (one with totals)."""

    def __call__(self, session: "Session", org_id: str, records: Sequence[Record]) -> None:
        if not records:
            return
        conn = session.connection()
        org_of = {r.position: org_id for r in records}
        if conn.dialect.name == "postgresql":
            self._write_block(conn, records, org_of)
            return
        generation = store.active_generation(conn)
        if generation is None or not store.has_totals(conn, generation):
            self.left += len(records)
            return
        before = store.position_before(conn, records[0].position)
        if store.write_inline(conn, generation, before, records[-1].position, org_of,
                              lambda: facts_of_records(list(records))):
            self.written += len(records)
        else:
            self.left += len(records)

    def _write_block(self, conn: Any, records: Sequence[Record], org_of: dict[int, str]) -> None:
        """PostgreSQL: one block for the generation last seen active; when a swap made another active
        meanwhile, once more for that one (the block itself refuses any generation but the active)."""
        database = str(conn.engine.url)
        generation = self._generation.get(database)
        for _ in range(2):
            if generation is None:
                generation = store.active_generation(conn)
                if generation is None or not store.has_totals(conn, generation):
                    break
            written, now_active = store.write_inline_block(conn, generation, records[0].position,
                                                           records[-1].position, org_of,
                                                           lambda: facts_of_records(list(records)))
            if written:
                self._generation[database] = generation
                self.written += len(records)
                return
            self._generation.pop(database, None)
            if now_active is None or now_active == generation:
                break
            generation = None  # another generation is active: read it (and whether it has totals)
        self.left += len(records)
