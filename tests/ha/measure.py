"""Failover measured on our own write path: ``python -m tests.ha.measure [--rounds 3]``.

Starts the cluster (tests/ha/cluster.py), one ``ledger run`` on its multi-host URL, writer threads
appending demo COs' chronicles with Idempotency-Keys (tests/ha/failover.py); then, each round,
kill -9 of the primary, until writes resume and the old primary has rejoined. Reports per round:
acknowledged events, lost (acknowledged but not stored), duplicated, how long writes stopped, how
long the new primary ran with no synchronous standby and how many events were acknowledged then,
the old primary's rejoin time, and the statuses the clients saw. Written to
bench-results/ha-failover.json; docs/operations.md quotes it.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.ha.cluster import Cluster
from tests.ha.failover import LedgerServer, Seen, Writer, demo_cos, register, stored_keys

ROOT = Path(__file__).resolve().parents[2]


def standby_counts(cluster: Cluster, name: str) -> tuple[int, int]:
    """(synchronous, streaming) standbys of the node's primary right now; (-1, -1) when unreachable."""
    try:
        rows = cluster.sql(cluster.node(name).port,
                           "SELECT count(*) FILTER (WHERE sync_state IN ('sync', 'quorum')), count(*) "
                           "FROM pg_stat_replication WHERE state = 'streaming'")
        return int(rows[0][0]), int(rows[0][1])
    except Exception:  # the node is down or not yet up
        return -1, -1


def watch_sync(cluster: Cluster, stop: threading.Event, samples: list[tuple[float, str | None, int, int]]) -> None:
    """Sample (time, primary, its synchronous and streaming standbys) every 50 ms, from the nodes themselves."""
    while not stop.is_set():
        now = time.monotonic()
        primary = None
        for node in cluster.nodes:
            try:
                if cluster.sql(node.port, "SELECT NOT pg_is_in_recovery()")[0][0]:
                    primary = node.name
                    break
            except Exception:  # down
                continue
        counts = standby_counts(cluster, primary) if primary else (-1, -1)
        samples.append((now, primary, *counts))
        time.sleep(0.05)


def no_standby_window(samples: list[tuple[float, str | None, int, int]], after: float,
                      acks: list[Any], column: int = 2) -> tuple[float, int]:
    """Seconds a primary accepted connections with 0 standbys of a kind (column 2: synchronous,
    3: streaming at all), and the acknowledgements received in that time."""
    windows: list[tuple[float, float]] = []
    start = None
    for sample in samples:
        at, primary, count = sample[0], sample[1], sample[column]
        if at < after:
            continue
        if primary is not None and count == 0:
            start = at if start is None else start
        elif start is not None:
            windows.append((start, at))
            start = None
    if start is not None:
        windows.append((start, samples[-1][0]))
    seconds = sum(b - a for a, b in windows)
    inside = sum(1 for ack in acks if any(a <= ack.at <= b for a, b in windows))
    return seconds, inside


def run_round(cluster: Cluster, seen: Seen, samples: list[Any], settle: float) -> dict[str, Any]:
    victim = cluster.primary()
    assert victim, cluster.states()
    time.sleep(settle)
    before = len(seen.acks)
    killed_at = cluster.kill(victim)
    deadline = killed_at + 120
    while time.monotonic() < deadline and not any(a.sent > killed_at for a in seen.acks):
        time.sleep(0.05)
    resumed = min((a.at for a in seen.acks if a.sent > killed_at), default=None)
    cluster.rejoin(victim)
    rejoin_started = time.monotonic()
    cluster.wait_healthy(timeout=180)
    new_primary = cluster.primary()
    rejoined = time.monotonic() - rejoin_started
    time.sleep(2)
    window, acked_inside = no_standby_window(samples, killed_at, seen.acks)
    alone, acked_alone = no_standby_window(samples, killed_at, seen.acks, column=3)
    return {"killed": victim, "new_primary": new_primary, "acks_before_kill": before,
            "writes_stopped_s": round(resumed - killed_at, 2) if resumed else None,
            "no_sync_standby_s": round(window, 2), "acked_without_sync_standby": acked_inside,
            "no_streaming_standby_s": round(alone, 2), "acked_without_any_standby": acked_alone,
            "rejoin_s": round(rejoined, 1)}


def standbys_lost(cluster: Cluster, seen: Seen, seconds: float = 12.0) -> dict[str, Any]:
    """Kill every standby for ``seconds``: how long appends wait, what they are answered, then rejoin."""
    primary = cluster.primary()
    standbys = [n.name for n in cluster.nodes if n.name != primary]
    failures_before = dict(seen.failures)
    acks_before = len(seen.acks)
    killed_at = max(cluster.kill(name) for name in standbys)
    time.sleep(seconds)
    during = [a for a in seen.acks[acks_before:] if a.sent >= killed_at]
    failures = {k: v - failures_before.get(k, 0) for k, v in seen.failures.items() if v != failures_before.get(k, 0)}
    for name in standbys:
        cluster.rejoin(name)
    started = time.monotonic()
    cluster.wait_healthy(timeout=180)
    return {"standbys_killed": standbys, "for_s": seconds, "acked_while_no_standby": len(during),
            "longest_ack_wait_s": round(max((a.at - a.sent for a in during), default=0.0), 2),
            "answers_while_no_standby": failures, "rejoin_s": round(time.monotonic() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds of writing before each kill")
    parser.add_argument("--base-port", type=int, default=6600)
    parser.add_argument("--require-standby", action="store_true", help="run the ledger with LEDGER_REQUIRE_STANDBY")
    parser.add_argument("--standbys-lost", action="store_true", help="also kill both standbys at once, then rejoin")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ledger-ha-"))
    cluster = Cluster(work / "cluster", base_port=args.base_port)
    server = None
    stop, watch_stop = threading.Event(), threading.Event()
    samples: list[Any] = []
    try:
        started = time.monotonic()
        cluster.start()
        print(f"cluster healthy in {time.monotonic() - started:.1f} s: {cluster.states()}", flush=True)
        extra = {"LEDGER_REQUIRE_STANDBY": "true"} if args.require_standby else {}
        server = LedgerServer(cluster.url(), work, extra).start()
        seen = Seen()
        with httpx.Client(base_url=server.base, timeout=30) as client:
            writers = [Writer(server.base, co, register(client, co), seen, stop, limit=100_000)
                       for co in demo_cos(args.writers)]
        for writer in writers:
            writer.start()
        watcher = threading.Thread(target=watch_sync, args=(cluster, watch_stop, samples), daemon=True)
        watcher.start()
        rounds = []
        for number in range(args.rounds):
            result = run_round(cluster, seen, samples, args.settle)
            rounds.append(result)
            print(f"round {number + 1}: {result}", flush=True)
        lost = standbys_lost(cluster, seen) if args.standbys_lost else None
        if lost:
            print(f"standbys lost: {lost}", flush=True)
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
        watch_stop.set()
        stored = stored_keys(cluster.node(cluster.primary() or "node1").dsn.rsplit("/", 1)[0] + "/ledger")
        acked = {a.key for a in seen.acks}
        report = {
            "rounds": rounds, "standbys_lost": lost, "writers": args.writers, "require_standby": args.require_standby, "acknowledged": len(seen.acks),
            "lost": sorted(acked - set(stored))[:20], "lost_count": len(acked - set(stored)),
            "duplicated": sum(1 for count in stored.values() if count > 1),
            "stored_not_acknowledged": len(set(stored) - acked),
            "client_failures": seen.failures, "unexpected": seen.unexpected[:10],
            "retry_after_values": sorted(set(seen.retry_after)),
            "writes_stopped_median_s": statistics.median(r["writes_stopped_s"] for r in rounds
                                                         if r["writes_stopped_s"] is not None),
        }
        out = ROOT / "bench-results"
        out.mkdir(exist_ok=True)
        (out / f"ha-failover{'-require-standby' if args.require_standby else ''}.json").write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=2))
    finally:
        stop.set()
        watch_stop.set()
        if server is not None:
            server.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
