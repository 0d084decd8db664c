"""Group commit A/B: single-event appends from 8 and 32 clients, ``LEDGER_GROUP_COMMIT_MS`` off and on,
beside raw single-row commits from as many threads in the same run (``bench_append`` measurement 2).

    .venv/bin/python -m tests.bench.bench_group_commit [rounds] [windows, e.g. 0,2,5]

On a scratch PostgreSQL database of its own, dropped after.
"""
from __future__ import annotations

import json
import statistics
import sys

from tests.bench import bench_append
from tests.bench.bench_support import Server, scratch_database


def main(rounds: int, windows: list[str]) -> None:
    results: dict[str, list[dict[str, float]]] = {}
    run = 0
    with scratch_database("group_commit") as database:
        for _ in range(rounds):
            for window in windows:
                with Server(database, {"LEDGER_GROUP_COMMIT_MS": window}) as server:
                    for clients in (bench_append.CLIENTS, bench_append.MANY_CLIENTS):
                        run += 1
                        http = bench_append.http_concurrent(server, run, 1600 // clients, 30.0, clients)
                        raw = bench_append.raw_concurrent(database, http["positions"], run, clients)
                        row = {"ev_s": http["events_per_second"], "p50": http["p50_ms"], "p99": http["p99_ms"],
                               "raw": raw["rows_per_second"], "ratio": http["events_per_second"] / raw["rows_per_second"]}
                        results.setdefault(f"{clients} clients, window {window} ms", []).append(row)
                        print(f"{clients} clients, window {window} ms: " + json.dumps(
                            {k: round(v, 3) for k, v in row.items()}), flush=True)
    for name, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        span = {k: (min(r[k] for r in rows), max(r[k] for r in rows)) for k in ("ev_s", "ratio")}
        print(f"MEDIAN {name}: {med['ev_s']:.0f} ev/s (range {span['ev_s'][0]:.0f}-{span['ev_s'][1]:.0f}), "
              f"p50 {med['p50']:.1f} ms, p99 {med['p99']:.1f} ms, raw {med['raw']:.0f} rows/s, "
              f"ratio {med['ratio']:.3f} ({span['ratio'][0]:.3f}-{span['ratio'][1]:.3f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3, (sys.argv[2] if len(sys.argv) > 2 else "0,2,5").split(","))
