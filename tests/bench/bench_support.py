"""What every benchmark shares: databases, timing statistics, time budgets, the API server.

All traffic goes to 127.0.0.1. Every loop in the benchmarks is bounded by a count and by a
deadline; a figure is the median of at least three runs, reported with its minimum and maximum.
"""
from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tests.support.server import LedgerServer, free_port  # noqa: F401 (free_port: re-exported)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results"
ADMIN_URL = os.environ.get("LEDGER_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
"""The admin connection: the bench creates its databases beside this one (and drops the scratch ones)."""
RUN_ID = uuid.uuid4().hex[:6]
ADMIN_TOKEN = "lgr_bench_admin_" + RUN_ID
RUNS = 3


def url_of(database: str) -> str:
    return make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def dsn_of(database: str) -> str:
    """A psycopg2 DSN (libpq URL) of a database on the bench's server."""
    return url_of(database).replace("postgresql+psycopg2://", "postgresql://")


def admin_engine() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def database_exists(name: str) -> bool:
    engine = admin_engine()
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None
    finally:
        engine.dispose()


def create_database(name: str) -> None:
    engine = admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_database(name: str) -> None:
    engine = admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextmanager
def scratch_database(purpose: str) -> Iterator[str]:
    """A fresh, migrated database named after this run (ledger_bench_<run>_<purpose>), dropped afterwards."""
    from ledger.adapters.sql.migrations import migrate

    name = f"ledger_bench_{RUN_ID}_{purpose}"
    create_database(name)
    try:
        migrate(url_of(name))
        yield name
    finally:
        drop_database(name)


# -- statistics ------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    """One reported figure: the value of each run; median, min and max over the runs."""

    name: str
    unit: str
    runs: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.runs.append(float(value))

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "runs": [round(v, 4) for v in self.runs],
                "median": round(self.median, 4), "min": round(min(self.runs), 4) if self.runs else None,
                "max": round(max(self.runs), 4) if self.runs else None}


class Deadline:
    """A time budget: loops stop when it is spent (and say so in the results)."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.left() <= 0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# -- the API server in a subprocess ----------------------------------------------------------------

class Server(LedgerServer):
    """`ledger run` (uvicorn) on 127.0.0.1 in a subprocess, on one of the bench's databases."""

    def __init__(self, database: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        super().__init__(url_of(database), RESULTS / f"server-{database}.log", ADMIN_TOKEN,
                         RESULTS / "ledger-log.key", dict(env or {}), args)
        self.database = database


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def issue_token(client: httpx.Client, role: str, **scope: Any) -> str:
    response = client.post("/v1/tokens", json={"role": role, **scope}, headers=admin_headers())
    response.raise_for_status()
    return str(response.json()["token"])
