"""Measurement 5: inclusion- and consistency-proof latency on the dataset, against a raw node read.

A sample is a random CO and random sizes within its log: inclusion of a random leaf in a tree of a
random size that holds it; consistency between two random sizes. In process: ``LogProofs`` (the
leaf re-hashed from the stored bytes, the nodes in one query, the checkpoint if one was signed at
that size). Over HTTP: ``GET /v1/orgs/{org}/log/proofs/inclusion|consistency``. Baseline: psycopg2
fetching the same complete-subtree nodes by key in one query. Some proofs are verified (RFC 9162).
The same questions are asked in process first (timed as "first touch": their pages in no cache yet,
the dataset being much larger than shared_buffers), then in process again, raw, and over HTTP, all
three as warm as each other.
"""
from __future__ import annotations

import random
import time
from typing import Any

import httpx
import psycopg2

from tests.bench.bench_support import (
    Deadline,
    Figure,
    Server,
    admin_headers,
    dsn_of,
    percentile,
    url_of,
)


def _node_keys(kind: str, sizes: tuple[int, int]) -> list[tuple[int, int]]:
    """The node keys a proof reads (as the library's key recorder finds them)."""
    from ledger.adapters.sql.proofs import _KeyRecorder
    from ledger.log import merkle

    recorder = _KeyRecorder()
    if kind == "inclusion":
        merkle.root_at(recorder, sizes[1])
        merkle.inclusion_proof(recorder, sizes[0], sizes[1])
    else:
        merkle.consistency_proof(recorder, sizes[0], sizes[1])
        merkle.root_at(recorder, sizes[0])
        merkle.root_at(recorder, sizes[1])
    return sorted(recorder.keys)


def measure(database: str, runs: int, log: Any, samples: int = 200, seconds_per_run: float = 45.0,
            verify: int = 20) -> dict[str, Any]:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.adapters.sql.proofs import LogProofs
    from ledger.adapters.sql.reads import Reader
    from ledger.log import merkle

    ledger = open_event_store(url_of(database))
    proofs = LogProofs(Reader(ledger))
    conn = psycopg2.connect(dsn_of(database))
    with conn.cursor() as cur:
        cur.execute("SELECT org_id, size FROM ledger_log_heads ORDER BY org_id")
        sizes = dict(cur.fetchall())
    orgs = sorted(sizes)
    figures: dict[str, Figure] = {}
    verified = {"inclusion": 0, "consistency": 0}

    def add(name: str, unit: str, value: float) -> None:
        figures.setdefault(name, Figure(name, unit)).add(value)

    with Server(database) as server, httpx.Client(base_url=server.base, timeout=60.0,
                                                  headers=admin_headers()) as client:
        for run in range(runs):
            rng = random.Random(500 + run)
            for kind in ("inclusion", "consistency"):
                asked = []
                for _ in range(samples):
                    org_id = rng.choice(orgs)
                    size = int(sizes[org_id])
                    low = rng.randrange(size) if kind == "inclusion" else rng.randint(1, size)
                    asked.append((org_id, (low, rng.randint(low + 1 if kind == "inclusion" else low, size))))
                cold, local, remote, raw = [], [], [], []
                deadline = Deadline(seconds_per_run / 6)
                for org_id, pair in asked:  # first touch: the pages of these proofs not yet in any cache
                    if deadline.spent():
                        break
                    started = time.perf_counter()
                    if kind == "inclusion":
                        proofs.inclusion(org_id, pair[0], pair[1])
                    else:
                        proofs.consistency(org_id, pair[0], pair[1])
                    cold.append(time.perf_counter() - started)
                asked = asked[:len(cold)]
                for i, (org_id, pair) in enumerate(asked):  # in process again, as warm as the raw read after it
                    started = time.perf_counter()
                    if kind == "inclusion":
                        proof = proofs.inclusion(org_id, pair[0], pair[1])
                        local.append(time.perf_counter() - started)
                        ok = proof.verifies()
                    else:
                        consistency = proofs.consistency(org_id, pair[0], pair[1])
                        local.append(time.perf_counter() - started)
                        ok = merkle.verify_consistency(pair[0], pair[1], consistency.first_root,
                                                       consistency.second_root, consistency.proof)
                    if run == 0 and i < verify:
                        verified[kind] += int(ok)
                asked = asked[:len(local)]
                for org_id, pair in asked:  # the raw baseline: the same nodes by key, one query
                    keys = _node_keys(kind, pair)
                    with conn.cursor() as cur:
                        started = time.perf_counter()
                        cur.execute("SELECT level, idx, hash FROM ledger_log_nodes WHERE org_id = %s AND "
                                    "(level, idx) IN (SELECT * FROM unnest(%s::int[], %s::bigint[]))",
                                    (org_id, [k[0] for k in keys], [k[1] for k in keys]))
                        cur.fetchall()
                        raw.append(time.perf_counter() - started)
                deadline = Deadline(seconds_per_run / 3)
                for org_id, pair in asked:  # over HTTP
                    if deadline.spent():
                        break
                    params = ({"leaf_index": pair[0], "tree_size": pair[1]} if kind == "inclusion"
                              else {"first": pair[0], "second": pair[1]})
                    started = time.perf_counter()
                    response = client.get(f"/v1/orgs/{org_id}/log/proofs/{kind}", params=params)
                    remote.append(time.perf_counter() - started)
                    response.raise_for_status()
                for where, values in (("in_process", local), ("http", remote), ("raw_read", raw),
                                      ("cold_in_process", cold)):
                    add(f"{kind}_{where}_p50_ms", "ms", percentile(values, 50) * 1000)
                    add(f"{kind}_{where}_p99_ms", "ms", percentile(values, 99) * 1000)
                add(f"{kind}_samples", "samples", len(local))
                add(f"{kind}_ratio", "x raw", percentile(local, 50) / percentile(raw, 50))
                log(f"  5. run {run + 1}: {kind:11}: first touch p50 {percentile(cold, 50) * 1000:5.2f} "
                    f"p99 {percentile(cold, 99) * 1000:5.2f} ms | in process p50 {percentile(local, 50) * 1000:5.2f} "
                    f"p99 {percentile(local, 99) * 1000:5.2f} ms | HTTP p50 {percentile(remote, 50) * 1000:5.2f} "
                    f"p99 {percentile(remote, 99) * 1000:5.2f} ms | raw node read p50 "
                    f"{percentile(raw, 50) * 1000:5.2f} ms ({len(local)} samples)")
    conn.close()
    engine_of(ledger).dispose()
    return {"figures": {name: f.to_json() for name, f in figures.items()}, "verified": verified,
            "log_sizes": {"cos": len(sizes), "largest": max(sizes.values()), "smallest": min(sizes.values())}}
