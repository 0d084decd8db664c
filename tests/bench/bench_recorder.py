"""The event store's recorder alone (issue 15): 100 stored events per transaction through the library's
recorder, through ``LedgerRecorder``, and as a raw ``execute_values`` of the same rows, alternated 30 times;
medians and ranges in ms per 100 events, and the decoding the save path no longer does.

    .venv/bin/python -m tests.bench.bench_recorder
"""
from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import psycopg2
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from psycopg2.extras import execute_values

from tests.bench.bench_append import _raw_table
from tests.bench.bench_support import dsn_of, scratch_database, url_of

ROUNDS = 30


def measure(database: str) -> dict[str, Any]:
    from ledger.adapters.sql.records import decode_state
    from ledger.bootstrap import build_services
    from ledger.seed import plan_county, write_county
    from ledger.settings import Settings

    services = build_services(Settings(database_url=url_of(database),
                                       key_file=Path(tempfile.mkdtemp()) / "log.key"))
    county = plan_county(scale=0.02, seed=5)
    write_county(services.appender, county, only=[county.cos[0].org_id], batch=100)
    ours = services.store.recorder
    library = SQLAlchemyApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
    source = list(ours.select_notifications(start=1, limit=100))
    assert len(source) == 100

    def copies() -> list[StoredEvent]:
        ids: dict[Any, uuid.UUID] = {}
        return [StoredEvent(originator_id=ids.setdefault(n.originator_id, uuid.uuid4()),
                            originator_version=n.originator_version, topic=n.topic, state=n.state) for n in source]

    conn = psycopg2.connect(dsn_of(database))
    _raw_table(conn, "bench_raw_recorder")

    def raw() -> None:
        rows = [(str(e.originator_id), e.originator_version, e.topic, e.state) for e in copies()]
        with conn.cursor() as cur:
            execute_values(cur, "INSERT INTO bench_raw_recorder (originator_id, originator_version, topic, state) "
                           "VALUES %s", rows, page_size=100)
        conn.commit()

    def timed(fn: Callable[[], Any]) -> float:
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) * 1000

    work: dict[str, Callable[[], Any]] = {
        "raw": raw,
        "library": lambda: library.insert_events(copies()),
        "ours": lambda: ours.insert_events(copies()),
        "decode100": lambda: [decode_state(services.store.mapper, n.state) for n in source],
    }
    runs: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(ROUNDS):
        for name, fn in work.items():
            runs[name].append(timed(fn))
    conn.close()
    services.engine.dispose()
    median = {name: statistics.median(v) for name, v in runs.items()}
    return {"median_ms_per_100": {k: round(v, 2) for k, v in median.items()},
            "range_ms": {k: [round(min(v), 2), round(max(v), 2)] for k, v in runs.items()},
            "library_over_raw": round(median["library"] / median["raw"], 2),
            "ours_over_raw": round(median["ours"] / median["raw"], 2)}


if __name__ == "__main__":
    with scratch_database("recorder") as scratch:
        print(json.dumps(measure(scratch), indent=2))
