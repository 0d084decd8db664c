"""Writers that keep appending through a failover, and what they saw (the HA tests and ``measure``).

Each writer thread owns one demo CO and appends its chronicle over HTTP, one event per request,
each with an Idempotency-Key of its own; a 503 or a broken connection is retried with the same key
until the ledger acknowledges it (as a client following Retry-After would). Every acknowledgement
is kept with its monotonic time, so a test can check afterwards that each acknowledged event is
stored exactly once, and measure how long writes stopped.
"""
from __future__ import annotations

import dataclasses
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import LedgerServer as SharedServer

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "lgr_ha_admin_token"


@dataclass
class Ack:
    key: str
    org_id: str
    position: int
    at: float
    sent: float
    """When the attempt that got this acknowledgement was sent (writes "resumed" = first sent after a kill)."""


@dataclass
class Seen:
    acks: list[Ack] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    retry_after: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, kind: str) -> None:
        with self.lock:
            self.failures[kind] = self.failures.get(kind, 0) + 1

    def longest_gap(self, after: float) -> tuple[float, float, float]:
        """The longest time without an acknowledgement after ``after``: (seconds, from, to)."""
        times = sorted(a.at for a in self.acks if a.at >= after - 5)
        best = (0.0, after, after)
        for earlier, later in zip(times, times[1:]):
            if later - earlier > best[0]:
                best = (later - earlier, earlier, later)
        return best


class LedgerServer(SharedServer):
    """``ledger run`` in a subprocess on ``database_url`` (migrated first; 127.0.0.1, a free port)."""

    def __init__(self, database_url: str, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        super().__init__(database_url, workdir / "ledger.log", ADMIN_TOKEN, workdir / "log.key", dict(extra_env or {}))
        self.workdir = workdir


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def demo_cos(count: int, prefix: str = "HA") -> list[Any]:
    from ledger.seed import plan_county

    county = plan_county(1.0, 4242)
    return [dataclasses.replace(co, org_id=f"{prefix}-{co.index + 1:03d}") for co in county.cos[:count]]


def register(client: httpx.Client, co: Any) -> str:
    """Register the CO (retrying through an outage) and return a cooperative token for it."""
    from ledger.seed.founding import registration

    data = registration(co).data
    body = {"org_id": co.org_id, "name": data["name"], "street": data["street"],
            "qualification_cutoff": data["qualification_cutoff"], "policy": data["policy"]}
    for _ in range(120):
        try:
            done = client.post("/v1/orgs", json=body, headers=admin())
            if done.status_code in (201, 409):
                token = client.post("/v1/tokens", json={"role": "cooperative", "org_id": co.org_id}, headers=admin())
                if token.status_code == 201:
                    return str(token.json()["token"])
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"could not register {co.org_id}")


class Writer(threading.Thread):
    """Appends one CO's chronicle, one event per request, retrying each with its own key until acknowledged."""

    def __init__(self, base: str, co: Any, token: str, seen: Seen, stop: threading.Event, limit: int) -> None:
        super().__init__(daemon=True, name=f"writer-{co.org_id}")
        from ledger.seed.generate import chronicle_of

        self.base, self.co, self.token, self.seen, self.stop_event = base, co, token, seen, stop
        self.requests = list(chronicle_of(co).requests())[1:limit + 1]  # the first is the registration

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for number, request in enumerate(self.requests):
                key = f"{self.co.org_id}-{number}"
                body = json.dumps({"events": [{"type": request.type, "entity_id": request.entity_id,
                                               "effective_date": request.effective_date.isoformat(),
                                               "data": request.data}]})
                while True:
                    if self.stop_event.is_set():
                        return
                    sent = time.monotonic()
                    try:
                        done = client.post(f"/v1/orgs/{self.co.org_id}/events", content=body,
                                           headers={**headers, "Idempotency-Key": key})
                    except httpx.HTTPError as exc:
                        self.seen.failed(type(exc).__name__)
                        time.sleep(0.2)
                        continue
                    if done.status_code in (200, 201):
                        position = done.json()["events"][0]["position"]
                        with self.seen.lock:
                            self.seen.acks.append(Ack(key, self.co.org_id, position, time.monotonic(), sent))
                        break
                    self.seen.failed(str(done.status_code))
                    if done.status_code == 503:
                        self.seen.retry_after.append(done.headers.get("Retry-After", ""))
                        time.sleep(min(float(done.headers.get("Retry-After", "1") or 1), 1.0))
                        continue
                    if done.status_code >= 500:
                        self.seen.unexpected.append(f"{done.status_code} {done.text[:300]}")
                        time.sleep(0.2)
                        continue
                    self.seen.unexpected.append(f"{done.status_code} {done.text[:300]}")
                    return


def stored_keys(dsn: str) -> dict[str, int]:
    """Idempotency key -> how many index rows carry it, read from the primary."""
    import psycopg2

    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT idempotency_key, count(*) FROM ledger_entries WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key")
            return {key: count for key, count in cur.fetchall()}
    finally:
        conn.close()
