"""The set-based recorder stores the rows the library's recorder stores, positions in order and gap-free."""
from __future__ import annotations

from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import select

from ledger.adapters.sql.event_store import events_table
from ledger.adapters.sql.records import decode_state, record_from_stored
from ledger.adapters.sql.tables import entries
from ledger.adapters.sql.recorder import LedgerRecorder
from ledger.bootstrap import Services
from ledger.log.record import leaf_hash_of
from ledger.seed import plan_county, write_county
from tests.storage.conftest import register


def _copies(notifications: list) -> list[StoredEvent]:  # type: ignore[type-arg]
    """The stored events again, under new entity ids (the originals' keys are taken)."""
    ids: dict[object, object] = {}
    return [StoredEvent(originator_id=ids.setdefault(n.originator_id, uuid4()),
                        originator_version=n.originator_version, topic=n.topic, state=n.state)
            for n in notifications]


def test_a_batch_is_stored_as_the_librarys_recorder_stores_it(services: Services) -> None:
    for n in range(3):
        register(services, f"TC-00{n + 1}", street=f"街道{n}")
    ours = services.store.recorder
    assert isinstance(ours, LedgerRecorder)
    originals = list(ours.select_notifications(start=1, limit=1000))
    library = SQLAlchemyApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
    library_batch, our_batch = _copies(originals), _copies(originals)
    library_ids = library.insert_events(library_batch)
    our_ids = ours.insert_events(our_batch)
    assert len(our_ids) == len(originals) >= 3
    assert list(our_ids) == list(range(library_ids[-1] + 1, library_ids[-1] + 1 + len(originals)))

    table = events_table(services.store)
    with services.engine.connect() as conn:
        stored = {row.id: row for row in conn.execute(select(table))}
    for library_id, our_id, event in zip(library_ids, our_ids, our_batch):
        theirs, mine = stored[library_id], stored[our_id]
        assert mine.originator_id == event.originator_id and mine.originator_version == event.originator_version
        assert (mine.originator_version, mine.topic, bytes(mine.state)) == \
            (theirs.originator_version, theirs.topic, bytes(theirs.state))
        assert bytes(mine.state) == event.state


def test_an_empty_batch_stores_nothing(services: Services) -> None:
    assert services.store.recorder.insert_events([]) == []


def test_the_records_hashed_are_the_records_the_stored_bytes_decode_to(services: Services) -> None:
    """The append hashes records built from the events it encoded; the verifier decodes the stored bytes."""
    county = plan_county(scale=0.005, seed=42)
    write_county(services.appender, county, only=[co.org_id for co in county.cos[:2]])
    table, mapper = events_table(services.store), services.store.mapper
    with services.engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.originator_id, table.c.originator_version, table.c.topic,
                                   table.c.state, entries.c.leaf_hash).join(entries, entries.c.position == table.c.id)
                            ).all()
    assert len(rows) > 100
    for row in rows:
        decoded = record_from_stored(row.id, row.originator_id, row.originator_version, row.topic,
                                     decode_state(mapper, bytes(row.state)))
        assert bytes(row.leaf_hash) == leaf_hash_of(decoded), row.id
