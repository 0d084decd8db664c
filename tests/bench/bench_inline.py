"""Inline projection A/B: ``LEDGER_INLINE_PROJECTION`` off and on, the server running the follower thread
(``ledger run --with-projector``, polling every second) either way.

For each setting, alternately, on one scratch PostgreSQL database (dropped after):
- appends: batches of 100 from one client, and single events from 8 clients (``bench_append``);
- a view right after an append: one CO with a few thousand events; each round appends one voucher
  and at once asks ``GET /v1/orgs/{org}/audit/{year}`` (known now). The answer's ``source`` says
  whether the read model had it (``read-model``) or the view was replayed from the stored events.

    .venv/bin/python -m tests.bench.bench_inline [rounds]
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import httpx

from tests.bench import bench_append
from tests.bench.bench_support import Server, admin_headers, percentile, scratch_database

SETTINGS = ("false", "true")


def fresh_views(server: Server, run: int, rounds: int = 40) -> dict[str, Any]:
    """Append a voucher, then ask the year's view at once: latency p50/p99 of the view, how it was answered."""
    co = bench_append._co_plans(run, 1, "FV")[0]
    with httpx.Client(base_url=server.base, timeout=120.0) as client:
        token = bench_append._register(client, co)
        events = bench_append._events_of(co)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for start in range(0, len(events), 100):
            client.post(f"/v1/orgs/{co.org_id}/events", headers=headers,
                        content=json.dumps({"events": events[start:start + 100]}, ensure_ascii=False).encode()
                        ).raise_for_status()
        time.sleep(2.5)  # the follower (when on) has caught up with the history
        views, sources = [], []
        for n in range(rounds):
            body = {"events": [{"type": "VoucherPosted", "entity_id": f"FV-{run}-{n}", "effective_date": "2025-06-30",
                                "data": {"description": "收到租金", "lines": [
                                    {"account": "101", "side": "debit", "amount": "10.00"},
                                    {"account": "501", "side": "credit", "amount": "10.00"}]}}]}
            client.post(f"/v1/orgs/{co.org_id}/events", headers=headers, json=body).raise_for_status()
            sent = time.perf_counter()
            answer = client.get(f"/v1/orgs/{co.org_id}/audit/2025", headers=admin_headers())
            views.append(time.perf_counter() - sent)
            answer.raise_for_status()
            sources.append(answer.json()["as_known"]["source"])
    return {"events": len(events), "p50_ms": percentile(views, 50) * 1000, "p99_ms": percentile(views, 99) * 1000,
            "read_model_share": sources.count("read-model") / len(sources)}


def main(rounds: int) -> None:
    results: dict[str, list[dict[str, float]]] = {}
    run = 500
    with scratch_database("inline") as database:
        for _ in range(rounds):
            for setting in SETTINGS:
                with Server(database, {"LEDGER_INLINE_PROJECTION": setting}, ("--with-projector",)) as server:
                    run += 1
                    batches = bench_append.http_batches(server, run, 10_000, 30.0)
                    concurrent = bench_append.http_concurrent(server, run, 150, 20.0, bench_append.CLIENTS)
                    fresh = fresh_views(server, run)
                row = {"batches_ev_s": batches["events_per_second"], "clients8_ev_s": concurrent["events_per_second"],
                       "clients8_p99_ms": concurrent["p99_ms"], "fresh_view_p50_ms": fresh["p50_ms"],
                       "fresh_view_p99_ms": fresh["p99_ms"], "fresh_from_read_model": fresh["read_model_share"]}
                results.setdefault(setting, []).append(row)
                print(f"inline {setting}: " + json.dumps({k: round(v, 3) for k, v in row.items()}), flush=True)
    for setting, rows in results.items():
        med = {k: round(statistics.median(r[k] for r in rows), 3) for k in rows[0]}
        span = {k: (round(min(r[k] for r in rows), 1), round(max(r[k] for r in rows), 1)) for k in rows[0]}
        print(f"MEDIAN inline {setting} ({len(rows)} rounds): {json.dumps(med)} ranges {json.dumps(span)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
