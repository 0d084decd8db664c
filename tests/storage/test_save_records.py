"""The records a batch hashes into the Merkle log are the ones the library's own decoding of the stored bytes
gives (``decode_state``), although the save path reads them back with the JSON parser alone."""
from __future__ import annotations

from sqlalchemy import select

from ledger.adapters.sql.records import decode_state, record_from_stored
from ledger.adapters.sql.tables import entries
from ledger.bootstrap import Services
from ledger.log.record import leaf_hash_of
from tests.storage.test_running_totals import declared_in_store, pay
from tests.support.fakes import ORG


def test_leaves_hash_the_records_the_library_decodes_from_the_stored_bytes(services: Services) -> None:
    declared_in_store(services)
    services.appender.append(ORG, "cooperative:test", [pay("P-1", "M-1", "100.00"), pay("P-2", "M-2", "0.50")])
    store = services.store
    stored = store.recorder.select_notifications(start=1, limit=10_000)  # type: ignore[attr-defined]
    expected = {
        n.id: leaf_hash_of(record_from_stored(n.id, n.originator_id, n.originator_version, n.topic,
                                              decode_state(store.mapper, n.state)))
        for n in stored
    }
    with services.engine.connect() as conn:
        hashed = {p: bytes(h) for p, h in conn.execute(select(entries.c.position, entries.c.leaf_hash))}
    assert len(hashed) > 2
    assert hashed == expected
