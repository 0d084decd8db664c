"""The benchmark dataset: demo counties written through ``Appender.append`` (the path the API uses).

The county of ``ledger seed-demo`` (56 COs, seeds from ``ledger.seed``) at scale 1.0 holds about
454,000 events. Until the third round its build cost grew with the square of a CO's members (each
dividend payment summed every earlier payment of its distribution), so one county at scale 6.6
(3 million events) could not be written in 30 minutes on two cores; the dataset is therefore
``counties`` demo counties at ``scale`` (seeds ``seed``, ``seed + 1``, ...), the first with the
seed's ids (TC-001 ...), the others renamed (TC2-001 ...): a small province of COs each the size of
the seed's, kept so that the rounds compare on the same rows.

The database ``ledger_bench_s<scale>_seed<seed>_x<counties>`` is kept between runs and reused; it is
rebuilt when absent or when its completion mark is missing (a build that was interrupted).
"""
from __future__ import annotations

import dataclasses
import json
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.bench.bench_support import (
    RESULTS,
    create_database,
    database_exists,
    drop_database,
    url_of,
)

MARK_TABLE = "bench_dataset"


@dataclass(frozen=True)
class DatasetSpec:
    counties: int = 7
    scale: float = 1.0
    seed: int = 42

    @property
    def name(self) -> str:
        return f"ledger_bench_s{str(self.scale).replace('.', '_')}_seed{self.seed}_x{self.counties}"

    @property
    def key_file(self) -> Path:
        return RESULTS / f"{self.name}.key"


def county_plans(spec: DatasetSpec) -> list[Any]:
    """Every CO plan of the dataset, renamed per county (county 1 keeps the seed's ids)."""
    from ledger.seed import plan_county

    cos = []
    for k in range(spec.counties):
        county = plan_county(spec.scale, spec.seed + k)
        prefix = "TC" if k == 0 else f"TC{k + 1}"
        cos += [co if k == 0 else dataclasses.replace(co, org_id=f"{prefix}-{co.index + 1:03d}") for co in county.cos]
    return cos


def _write(url: str, key_file: str, spec: DatasetSpec, org_ids: list[str], worker: int, deadline: float,
           queue: Any, parent: int) -> None:
    """One writer process: its COs, one after the other, through ``Appender.append``."""
    import ledger.domain  # noqa: F401  (the whole catalogue)
    from ledger.adapters.sql.append_store import SqlAppendStore
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.application.append import Appender
    from ledger.domain.catalog import load_catalog
    from ledger.log.keys import load_or_create_signer
    from ledger.seed import CountyPlan, write_county

    load_catalog()
    ledger = open_event_store(url)
    signer = load_or_create_signer(Path(key_file), "audit-ledger.local")
    appender = Appender(SqlAppendStore(ledger), signer, "audit-ledger.local")
    plans = {co.org_id: co for co in county_plans(spec)}
    events = 0
    for org_id in org_ids:
        if os.getppid() != parent:  # the bench was stopped: an orphaned writer stops too
            return
        if time.time() > deadline:
            queue.put(("stopped", worker, events))
            break
        tally = write_county(appender, CountyPlan(spec.scale, spec.seed, (plans[org_id],)))
        events += tally.events
        queue.put(("co", worker, tally.events))
    else:
        queue.put(("done", worker, events))
    engine_of(ledger).dispose()


def _partition(spec: DatasetSpec, workers: int) -> list[list[str]]:
    """Split the COs over the writers, largest first, each to the least loaded (by members)."""
    parts: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for co in sorted(county_plans(spec), key=lambda c: -c.members):
        i = loads.index(min(loads))
        parts[i].append(co.org_id)
        loads[i] += co.members + 20 * len(co.assets)
    return parts


def _vacuum(url: str) -> None:
    """VACUUM ANALYZE once after the bulk load (as autovacuum would, later): statistics and visibility map."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def read_mark(name: str) -> dict[str, Any] | None:
    engine = create_engine(url_of(name))
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": MARK_TABLE}).scalar()
            if not exists:
                return None
            row = conn.execute(text(f"SELECT mark FROM {MARK_TABLE}")).scalar()
            return json.loads(row) if row else None
    finally:
        engine.dispose()


def ensure_dataset(spec: DatasetSpec, workers: int, budget_seconds: float, log: Any = print) -> dict[str, Any]:
    """The dataset's database, built now if it is not there complete; returns its mark (counts, build time)."""
    if database_exists(spec.name):
        mark = read_mark(spec.name)
        if mark is not None:
            from ledger.adapters.sql.migrations import migrate

            migrate(url_of(spec.name))  # a dataset kept from before migrations is stamped; a current one untouched
            mark["reused"] = True
            log(f"dataset: reusing {spec.name} ({mark['events']:,} events, built in {mark['build_seconds']:,.0f} s)")
            return mark
        log(f"dataset: {spec.name} has no completion mark (an interrupted build): dropping it")
        drop_database(spec.name)
    return _build(spec, workers, budget_seconds, log)


def _build(spec: DatasetSpec, workers: int, budget_seconds: float, log: Any) -> dict[str, Any]:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.migrations import migrate

    RESULTS.mkdir(exist_ok=True)
    create_database(spec.name)
    url = url_of(spec.name)
    migrate(url)  # tables and triggers, once, before the writers start
    parts = _partition(spec, workers)
    total_cos = sum(len(p) for p in parts)
    log(f"dataset: building {spec.name}: {spec.counties} demo counties at scale {spec.scale} ({total_cos} COs) "
        f"through Appender.append with {workers} writer processes (budget {budget_seconds / 60:.0f} min)")
    context = mp.get_context("spawn")
    queue = context.Queue()
    started = time.perf_counter()
    deadline = time.time() + budget_seconds
    processes = [context.Process(target=_write, daemon=True,
                                 args=(url, str(spec.key_file), spec, part, i, deadline, queue, os.getpid()))
                 for i, part in enumerate(parts)]
    for process in processes:
        process.start()
    finished, events, cos, stopped, last_log = 0, 0, 0, False, 0.0
    while finished < len(processes):
        kind, _, count = queue.get()
        if kind == "co":
            events, cos = events + count, cos + 1
        else:
            finished += 1
            stopped = stopped or kind == "stopped"
        elapsed = time.perf_counter() - started
        if elapsed - last_log > 30 or finished == len(processes):
            last_log = elapsed
            log(f"dataset: {cos}/{total_cos} COs, {events:,} events in {elapsed:,.0f} s "
                f"({events / max(elapsed, 1e-9):,.0f} events/s)")
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a dataset writer failed (exit {process.exitcode}); the database has no mark")
    seconds = time.perf_counter() - started
    engine = create_engine(url)
    with engine.begin() as conn:
        stored = int(conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar() or 0)
        orgs = int(conn.execute(text("SELECT count(*) FROM ledger_organizations")).scalar() or 0)
        mark = {"name": spec.name, "counties": spec.counties, "scale": spec.scale, "seed": spec.seed,
                "events": stored, "cos": orgs, "complete": not stopped, "workers": workers,
                "build_seconds": round(seconds, 1), "build_events_per_second": round(stored / seconds, 1),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        conn.execute(text(f"CREATE TABLE {MARK_TABLE} (mark text NOT NULL)"))
        conn.execute(text(f"INSERT INTO {MARK_TABLE} VALUES (:m)"), {"m": json.dumps(mark)})
    engine.dispose()
    _vacuum(url)
    mark["reused"] = False
    log(f"dataset: {stored:,} events in {orgs} COs built in {seconds:,.0f} s "
        f"({stored / seconds:,.0f} events/s){'' if not stopped else ' (STOPPED at the budget: partial)'}")
    return mark
