"""The recorder alone (#15): 100 stored events per transaction, library recorder vs LedgerRecorder vs raw
execute_values of the same rows, alternated 30 times; medians. Run: .venv/bin/python tests/bench/bench_recorder.py"""
import json, statistics, tempfile, time, uuid
from pathlib import Path
import psycopg2
from psycopg2.extras import execute_values
from sqlalchemy import create_engine, text
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from ledger.adapters.sql.migrations import migrate
from ledger.adapters.sql.records import decode_state
from ledger.bootstrap import build_services
from ledger.settings import Settings
from ledger.seed import plan_county, write_county

name = "writes2_rec"  # a scratch database of its own, dropped after
admin = create_engine("postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
with admin.connect() as c:
    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')); c.execute(text(f'CREATE DATABASE "{name}"'))
url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
try:
    migrate(url)
    s = build_services(Settings(database_url=url, key_file=Path(tempfile.mkdtemp()) / "log.key"))
    county = plan_county(scale=0.02, seed=5)
    write_county(s.appender, county, only=[county.cos[0].org_id], batch=100)
    ours = s.store.recorder
    lib = SQLAlchemyApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
    src = list(ours.select_notifications(start=1, limit=100))
    assert len(src) == 100
    def copies():
        ids = {}
        return [StoredEvent(originator_id=ids.setdefault(n.originator_id, uuid.uuid4()), originator_version=n.originator_version, topic=n.topic, state=n.state) for n in src]
    conn = psycopg2.connect(f"host=127.0.0.1 user=postgres dbname={name}"); cur = conn.cursor()
    cur.execute("CREATE TABLE raw_b (id bigserial PRIMARY KEY, originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text NOT NULL, state bytea NOT NULL, UNIQUE (originator_id, originator_version))"); conn.commit()
    def raw():
        rows = [(str(e.originator_id), e.originator_version, e.topic, e.state) for e in copies()]
        t = time.perf_counter(); execute_values(cur, "INSERT INTO raw_b (originator_id, originator_version, topic, state) VALUES %s", rows, page_size=100); conn.commit(); return time.perf_counter() - t
    def via(rec):
        batch = copies(); t = time.perf_counter(); rec.insert_events(batch); return time.perf_counter() - t
    def decode():
        t = time.perf_counter(); [decode_state(s.store.mapper, n.state) for n in src]; return time.perf_counter() - t
    res = {"raw": [], "library": [], "ours": [], "decode100": []}
    for _ in range(30):
        res["raw"].append(raw()); res["library"].append(via(lib)); res["ours"].append(via(ours)); res["decode100"].append(decode())
    med = {k: statistics.median(v) * 1000 for k, v in res.items()}
    print(json.dumps({"median_ms_per_100": {k: round(v, 2) for k, v in med.items()},
                      "range_ms": {k: [round(min(v)*1000, 2), round(max(v)*1000, 2)] for k, v in res.items()},
                      "library_over_raw": round(med["library"] / med["raw"], 2), "ours_over_raw": round(med["ours"] / med["raw"], 2)}))
    conn.close(); s.engine.dispose()
finally:
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
