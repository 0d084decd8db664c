"""Measurements 1 and 2: appends through HTTP, against raw psycopg2 inserts of the same rows.

1. Batches of 100 events (receipts, Merkle leaves and signed checkpoints on, an Idempotency-Key on
   every request) from one client, sequentially. Baseline: the same stored rows (originator id,
   version, topic, state) inserted into a table shaped like ``ledger_events`` with one multi-row
   INSERT (psycopg2 ``execute_values``) per 100-row transaction.
   Peer: the eventsourcing library's own save path (an ``Application`` on the same SQLAlchemy +
   psycopg2 recorder, ``PERSISTENCE_MODULE=eventsourcing_sqlalchemy``) saving the same request
   payloads as new aggregates' created events, 100 per ``save`` (one transaction): no rules, no
   index, no log, no HTTP. The ledger's HTTP path should be at least as fast (issue 15).
2. Single-event appends from 8 clients at once, and from 32 (threads, one ``httpx.Client`` and one CO
   each). Baseline: the same rows, one single-row INSERT and commit each, from as many threads.

The events are the demo county's (``ledger.seed``): each run appends fresh COs' histories in their
order, with money as yuan strings as a bookkeeper would send them. The server runs as
docker-compose.yml deploys it: two API worker processes (``LEDGER_WORKERS=2``) and the projection worker
in a process of its own (``ledger project --follow``), which keeps the read model; each append also writes
its facts and totals in its own transaction (the inline projection, on by default). The CPU each part
spent (API processes, projection worker, PostgreSQL, the load client) is measured per event from /proc.
"""
from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import Any

import httpx
import psycopg2
from psycopg2.extras import execute_values

from tests.bench.bench_support import (
    CpuMeter,
    Deadline,
    ProjectorProcess,
    Figure,
    Server,
    admin_headers,
    dsn_of,
    issue_token,
    percentile,
)

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

BATCH = 100
CLIENTS = 8
MANY_CLIENTS = 32
WORKERS = 2
"""API processes, as docker-compose.yml runs them (``LEDGER_WORKERS``)."""


def _co_plans(run: int, count: int, prefix: str) -> list[Any]:
    """``count`` COs of a demo county at scale 1.0 (seed 1000 + run), renamed so that no run meets another."""
    from ledger.seed import plan_county

    county = plan_county(1.0, 1000 + run)
    return [dataclasses.replace(co, org_id=f"{prefix}{run}-{co.index + 1:03d}") for co in county.cos[:count]]


def _request_json(request: Any) -> dict[str, Any]:
    return {"type": request.type, "entity_id": request.entity_id,
            "effective_date": request.effective_date.isoformat(), "data": request.data}


def _register(client: httpx.Client, co: Any) -> str:
    """Register the CO (admin) and return a cooperative token for it."""
    from ledger.seed.founding import registration

    data = registration(co).data
    body = {"org_id": co.org_id, "name": data["name"], "street": data["street"],
            "qualification_cutoff": data["qualification_cutoff"], "policy": data["policy"]}
    client.post("/v1/orgs", json=body, headers=admin_headers()).raise_for_status()
    return issue_token(client, "cooperative", org_id=co.org_id)


def _events_of(co: Any) -> list[dict[str, Any]]:
    from ledger.seed.generate import chronicle_of

    return [_request_json(r) for r in chronicle_of(co).requests()]


def _positions(body: dict[str, Any]) -> list[int]:
    return [e["position"] for e in body["events"]]


# -- 1: batches of 100 -----------------------------------------------------------------------------

def http_batches(server: Server, run: int, max_events: int, seconds: float,
                 projector: int | None = None) -> dict[str, Any]:
    """Append up to ``max_events`` in batches of 100 (bounded by ``seconds``); events/s and the positions."""
    plans = _co_plans(run, 4, "BH")
    with httpx.Client(base_url=server.base, timeout=120.0) as client:
        work: list[tuple[str, bytes, str]] = []
        payloads: list[list[dict[str, Any]]] = []
        for co in plans:
            token = _register(client, co)
            events = _events_of(co)
            for start in range(0, len(events), BATCH):
                body = json.dumps({"events": events[start:start + BATCH]}, ensure_ascii=False).encode()
                work.append((co.org_id, body, token))
                payloads.append(events[start:start + BATCH])
                if len(work) * BATCH >= max_events:
                    break
            if len(work) * BATCH >= max_events:
                break
        deadline, positions, latencies = Deadline(seconds), [], []
        meter = CpuMeter(server.pid, projector).__enter__()
        started = time.perf_counter()
        for number, (org_id, body, token) in enumerate(work):
            if deadline.spent():
                break
            sent = time.perf_counter()
            response = client.post(f"/v1/orgs/{org_id}/events", content=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{run}-{number}"})
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 201:
                raise RuntimeError(f"append refused: {response.status_code} {response.text[:500]}")
            positions += _positions(response.json())
        seconds_taken = time.perf_counter() - started
        meter.__exit__()
    return {"events": len(positions), "seconds": seconds_taken, "events_per_second": len(positions) / seconds_taken,
            "cpu": meter.per_event(len(positions)),
            "requests": len(latencies), "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000, "positions": positions,
            "payloads": payloads[:len(latencies)]}


class PeerEntry(Aggregate):
    """One request payload as an aggregate's created event: the library's bare unit of saving."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload


class PeerStore(Application):
    """The eventsourcing library on its own (table ``benchpeer_events``): the peer of the ledger's save path."""

    name = "BenchPeer"


def peer_batches(database: str, payloads: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """The same payloads through the library's own save path: 100 new aggregates per ``save`` (one transaction)."""
    from tests.bench.bench_support import url_of

    app = PeerStore(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url_of(database),
                         "CREATE_TABLE": "y"})
    try:
        events = 0
        started = time.perf_counter()
        for batch in payloads:
            app.save(*[PeerEntry(payload) for payload in batch])
            events += len(batch)
        seconds = time.perf_counter() - started
    finally:
        engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS benchpeer_events")
        app.close()
    return {"events": events, "seconds": seconds, "events_per_second": events / seconds}


def _stored_rows(database: str, positions: list[int]) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn_of(database)) as conn, conn.cursor() as cur:
        cur.execute("SELECT originator_id, originator_version, topic, state FROM ledger_events "
                    "WHERE id = ANY(%s) ORDER BY id", (positions,))
        return cur.fetchall()


def _raw_table(conn: Any, name: str) -> None:
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TABLE {name} (id bigserial PRIMARY KEY, originator_id uuid NOT NULL, "
                    f"originator_version bigint NOT NULL, topic text NOT NULL, state bytea NOT NULL, "
                    f"UNIQUE (originator_id, originator_version))")
    conn.commit()


def raw_batches(database: str, positions: list[int], run: int) -> dict[str, Any]:
    """The same rows, raw: one multi-row INSERT per 100-row transaction (execute_values)."""
    rows = _stored_rows(database, positions)
    table = f"bench_raw_batches_{run}"
    conn = psycopg2.connect(dsn_of(database))
    try:
        _raw_table(conn, table)
        started = time.perf_counter()
        with conn.cursor() as cur:
            for start in range(0, len(rows), BATCH):
                execute_values(cur, f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                               "VALUES %s", rows[start:start + BATCH], page_size=BATCH)
                conn.commit()
        seconds = time.perf_counter() - started
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE {table}")
        conn.commit()
    finally:
        conn.close()
    return {"rows": len(rows), "seconds": seconds, "rows_per_second": len(rows) / seconds}


# -- 2: single events from 8 clients ---------------------------------------------------------------

def http_concurrent(server: Server, run: int, per_client: int, seconds: float,
                    clients: int = CLIENTS, projector: int | None = None) -> dict[str, Any]:
    """``clients`` threads, each appending its own CO's events one per request; events/s, p50 and p99."""
    plans = _co_plans(run, clients, "CC" if clients == CLIENTS else f"C{clients}X")
    with httpx.Client(base_url=server.base, timeout=120.0) as client:
        tokens = [_register(client, co) for co in plans]
    queues = [_events_of(co)[:per_client] for co in plans]
    latencies: list[list[float]] = [[] for _ in plans]
    positions: list[list[int]] = [[] for _ in plans]
    errors: list[str] = []
    barrier = threading.Barrier(len(plans) + 1)
    deadline = Deadline(seconds + 5)

    def client_loop(i: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        bodies = [json.dumps({"events": [event]}, ensure_ascii=False).encode() for event in queues[i]]
        with httpx.Client(base_url=server.base, timeout=120.0) as own:
            own.get("/healthz")
            barrier.wait()
            for body in bodies:
                if deadline.spent():
                    break
                sent = time.perf_counter()
                response = own.post(f"/v1/orgs/{plans[i].org_id}/events", content=body, headers=headers)
                latencies[i].append(time.perf_counter() - sent)
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.text[:300]}")
                    break
                positions[i] += _positions(response.json())

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    with CpuMeter(server.pid, projector) as meter:
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"concurrent appends refused: {errors[:3]}")
    every = [x for lane in latencies for x in lane]
    return {"events": sum(len(p) for p in positions), "seconds": wall,
            "events_per_second": sum(len(p) for p in positions) / wall, "p50_ms": percentile(every, 50) * 1000,
            "p99_ms": percentile(every, 99) * 1000, "positions": [p for lane in positions for p in lane],
            "cpu": meter.per_event(sum(len(p) for p in positions))}


def raw_concurrent(database: str, positions: list[int], run: int, clients: int = CLIENTS) -> dict[str, Any]:
    """The same rows, raw: ``clients`` threads, each its own connection, one INSERT and COMMIT per row."""
    rows = _stored_rows(database, positions)
    table = f"bench_raw_single_{clients}_{run}"
    setup = psycopg2.connect(dsn_of(database))
    _raw_table(setup, table)
    lanes = [rows[i::clients] for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in lanes]
    barrier = threading.Barrier(len(lanes) + 1)

    def lane_loop(i: int) -> None:
        conn = psycopg2.connect(dsn_of(database))
        try:
            with conn.cursor() as cur:
                barrier.wait()
                for row in lanes[i]:
                    sent = time.perf_counter()
                    cur.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                                "VALUES (%s, %s, %s, %s)", row)
                    conn.commit()
                    latencies[i].append(time.perf_counter() - sent)
        finally:
            conn.close()

    threads = [threading.Thread(target=lane_loop, args=(i,)) for i in range(len(lanes))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    with setup.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")
    setup.commit()
    setup.close()
    every = [x for lane in latencies for x in lane]
    return {"rows": len(rows), "seconds": wall, "rows_per_second": len(rows) / wall,
            "p50_ms": percentile(every, 50) * 1000, "p99_ms": percentile(every, 99) * 1000}


def measure(database: str, runs: int, log: Any, max_events: int = 20_000, per_client: int = 250,
            seconds: float = 60.0, many_per_client: int = 100, many_seconds: float = 30.0) -> dict[str, Any]:
    """Every append measurement, ``runs`` times each, on one scratch database with one server."""
    figures = {name: Figure(name, unit) for name, unit in (
        ("http_batch_events_per_second", "events/s"), ("raw_batch_rows_per_second", "rows/s"),
        ("batch_ratio", "x raw"), ("http_batch_request_p50_ms", "ms"), ("http_batch_request_p99_ms", "ms"),
        ("peer_batch_events_per_second", "events/s"), ("batch_peer_ratio", "x peer"),
        ("http_single_events_per_second", "events/s"), ("http_single_p50_ms", "ms"), ("http_single_p99_ms", "ms"),
        ("raw_single_rows_per_second", "rows/s"), ("raw_single_p50_ms", "ms"), ("raw_single_p99_ms", "ms"),
        ("single_ratio", "x raw"),
        ("http_many_events_per_second", "events/s"), ("http_many_p50_ms", "ms"), ("http_many_p99_ms", "ms"),
        ("raw_many_rows_per_second", "rows/s"), ("raw_many_p50_ms", "ms"), ("raw_many_p99_ms", "ms"),
        ("many_ratio", "x raw"),
        *((f"{name}_{part}", unit) for name in ("batch", "single", "many")
          for part, unit in (("server_cpu_ms", "ms"), ("projector_cpu_ms", "ms"), ("postgres_cpu_ms", "ms"),
                             ("client_cpu_ms", "ms"),
                             ("server_cores", "cores"), ("busy_cores", "cores"))))}
    details: list[dict[str, Any]] = []

    def concurrent(server: Server, run: int, clients: int, name: str, per: int, limit: float) -> dict[str, Any]:
        single = http_concurrent(server, run, per, limit, clients, projector.pid)
        raw = raw_concurrent(database, single["positions"], run, clients)
        for key in ("events_per_second", "p50_ms", "p99_ms"):
            figures[f"http_{name}_{key}"].add(single[key])
        for key in ("rows_per_second", "p50_ms", "p99_ms"):
            figures[f"raw_{name}_{key}"].add(raw[key])
        figures[f"{name}_ratio"].add(single["events_per_second"] / raw["rows_per_second"])
        for part, value in single["cpu"].items():
            figures[f"{name}_{part}"].add(value)
        log(f"  2. run {run + 1}: {clients} clients {single['events_per_second']:,.0f} events/s, "
            f"p50 {single['p50_ms']:.1f} ms, p99 {single['p99_ms']:.1f} ms | raw "
            f"{raw['rows_per_second']:,.0f} rows/s ({single['events']:,} events)")
        return {"http": {k: v for k, v in single.items() if k != "positions"}, "raw": raw}

    # as deployed (docker-compose.yml): two API worker processes, and the projection worker in a process of
    # its own keeping the read model, so each append also writes its facts (LEDGER_INLINE_PROJECTION, on)
    with Server(database, env={"LEDGER_WORKERS": str(WORKERS)}) as server, ProjectorProcess(database) as projector:
        for run in range(runs):
            batches = http_batches(server, run, max_events, seconds, projector.pid)
            raw = raw_batches(database, batches["positions"], run)
            peer = peer_batches(database, batches["payloads"])
            figures["http_batch_events_per_second"].add(batches["events_per_second"])
            figures["http_batch_request_p50_ms"].add(batches["p50_ms"])
            figures["http_batch_request_p99_ms"].add(batches["p99_ms"])
            figures["raw_batch_rows_per_second"].add(raw["rows_per_second"])
            figures["batch_ratio"].add(batches["events_per_second"] / raw["rows_per_second"])
            figures["peer_batch_events_per_second"].add(peer["events_per_second"])
            figures["batch_peer_ratio"].add(batches["events_per_second"] / peer["events_per_second"])
            for part, value in batches["cpu"].items():
                figures[f"batch_{part}"].add(value)
            log(f"  1. run {run + 1}: HTTP batches {batches['events_per_second']:,.0f} events/s "
                f"({batches['events']:,} events) | raw {raw['rows_per_second']:,.0f} rows/s | "
                f"library's save path {peer['events_per_second']:,.0f} events/s")
            single = concurrent(server, run, CLIENTS, "single", per_client, seconds)
            many = concurrent(server, run, MANY_CLIENTS, "many", many_per_client, many_seconds)
            details.append({"run": run + 1,
                            "batches": {k: v for k, v in batches.items() if k not in ("positions", "payloads")},
                            "raw_batches": raw, "peer_batches": peer, "single": single["http"],
                            "raw_single": single["raw"], "many": many["http"], "raw_many": many["raw"]})
    return {"figures": {name: f.to_json() for name, f in figures.items()}, "runs": details,
            "server_settings": server.settings_note()}
