"""Measurement 3: projection rebuild from position 0, against a raw streaming fold of the same events.

Each run is a fresh child process (so its peak RSS is the rebuild's own, read as
VmHWM from /proc/self/status): ``Projector.rebuild()`` builds a new facts generation from position 0,
indexes it and swaps it in. Baseline, in a fresh child too: one plain SELECT of the same events in
order (server-side cursor, 20,000 rows a fetch, the state as text) with a trivial fold in Python:
json.loads each state and sum ``data.amount`` per CO.

    python -m tests.bench.bench_rebuild rebuild|raw <database>
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from tests.bench.bench_support import ROOT, Figure, dsn_of, postgres_cpu, url_of


def _peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM of /proc/self/status (getrusage's ru_maxrss keeps the parent's across exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_rebuild(database: str) -> dict[str, Any]:
    from sqlalchemy import text

    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from projections.projector import Projector
    from projections.store import read_model as store

    ledger = open_event_store(url_of(database))
    projector = Projector(ledger, page=10_000)
    started = time.perf_counter()
    events = projector.rebuild()
    seconds = time.perf_counter() - started
    with engine_of(ledger).connect() as conn:
        generation = store.active_generation(conn)
        facts = conn.execute(text(f"SELECT count(*) FROM proj_facts_g{generation}")).scalar()
    return {"events": events, "facts": int(facts or 0), "seconds": seconds, "events_per_second": events / seconds,
            "peak_rss_mb": _peak_rss_mb(), "generation": generation}


def child_raw(database: str) -> dict[str, Any]:
    import psycopg2

    conn = psycopg2.connect(dsn_of(database))
    started = time.perf_counter()
    cursor = conn.cursor(name="bench_raw_fold")
    cursor.itersize = 20_000
    cursor.execute("SELECT id, convert_from(state, 'UTF8') FROM ledger_events ORDER BY id")
    sums: dict[str, int] = {}
    rows = 0
    loads = json.loads
    for _, state in cursor:
        decoded = loads(state)
        amount = decoded["data"].get("amount")
        org_id = decoded["envelope"]["org_id"]
        if isinstance(amount, int):
            sums[org_id] = sums.get(org_id, 0) + amount
        rows += 1
    seconds = time.perf_counter() - started
    conn.close()
    return {"rows": rows, "cos": len(sums), "seconds": seconds, "rows_per_second": rows / seconds,
            "peak_rss_mb": _peak_rss_mb()}


def _run_child(kind: str, database: str, timeout: float) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_rebuild", kind, database], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} child failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(database: str, runs: int, log: Any, timeout: float = 900.0) -> dict[str, Any]:
    figures = {name: Figure(name, unit) for name, unit in (
        ("rebuild_events_per_second", "events/s"), ("rebuild_peak_rss_mb", "MB"),
        ("raw_fold_rows_per_second", "rows/s"), ("raw_fold_peak_rss_mb", "MB"), ("rebuild_ratio", "x raw"),
        ("rebuild_seconds", "s"))}
    for name in ("rebuild", "raw_fold"):
        for part in ("postgres_cpu_us", "process_cpu_us", "busy_cores"):
            figures[f"{name}_{part}"] = Figure(f"{name}_{part}", "cores" if part == "busy_cores" else "us")
    details = []
    for run in range(runs):
        raw, raw_cpu = _metered(lambda: _run_child("raw", database, timeout), "rows")
        rebuild, rebuild_cpu = _metered(lambda: _run_child("rebuild", database, timeout), "events")
        for name, cpu in (("rebuild", rebuild_cpu), ("raw_fold", raw_cpu)):
            for part, value in cpu.items():
                figures[f"{name}_{part}"].add(value)
        figures["raw_fold_rows_per_second"].add(raw["rows_per_second"])
        figures["raw_fold_peak_rss_mb"].add(raw["peak_rss_mb"])
        figures["rebuild_events_per_second"].add(rebuild["events_per_second"])
        figures["rebuild_peak_rss_mb"].add(rebuild["peak_rss_mb"])
        figures["rebuild_seconds"].add(rebuild["seconds"])
        figures["rebuild_ratio"].add(rebuild["events_per_second"] / raw["rows_per_second"])
        log(f"  3. run {run + 1}: rebuild {rebuild['events_per_second']:,.0f} events/s ({rebuild['events']:,} events, "
            f"{rebuild['facts']:,} facts, {rebuild['seconds']:.0f} s, peak RSS {rebuild['peak_rss_mb']:.0f} MB) | raw "
            f"fold {raw['rows_per_second']:,.0f} rows/s (peak RSS {raw['peak_rss_mb']:.0f} MB)")
        details.append({"run": run + 1, "rebuild": rebuild, "raw": raw})
    return {"figures": {name: f.to_json() for name, f in figures.items()}, "runs": details}


def _metered(child: Any, unit: str) -> tuple[dict[str, Any], dict[str, float]]:
    """``child()``'s result, and the CPU it took a row or event (microseconds): every PostgreSQL process's
    and the child process's own (reaped: this process's children's times), and the cores busy."""
    pg, own, started = postgres_cpu(), os.times(), time.perf_counter()
    result = child()
    wall = time.perf_counter() - started
    after = os.times()
    postgres = postgres_cpu() - pg
    process = (after.children_user - own.children_user) + (after.children_system - own.children_system)
    count = max(int(result[unit]), 1)
    return result, {"postgres_cpu_us": postgres / count * 1e6, "process_cpu_us": process / count * 1e6,
                    "busy_cores": (postgres + process) / wall}


if __name__ == "__main__":
    kind, name = sys.argv[1], sys.argv[2]
    print(json.dumps(child_rebuild(name) if kind == "rebuild" else child_raw(name)))
