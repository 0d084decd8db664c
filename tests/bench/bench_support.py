"""What every benchmark shares: databases, timing statistics, time budgets, the API server.

All traffic goes to 127.0.0.1. Every loop in the benchmarks is bounded by a count and by a
deadline; a figure is the median of at least three runs, reported with its minimum and maximum.
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
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

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """`ledger run` (uvicorn) on 127.0.0.1 in a subprocess, on a given database."""

    database: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    """Settings of the server beyond the database, port and key (e.g. ``LEDGER_GROUP_COMMIT_MS``)."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "Server":
        self.port = self.port or free_port()
        RESULTS.mkdir(exist_ok=True)
        self.log = RESULTS / f"server-{self.database}.log"
        env = {**os.environ, "LEDGER_DATABASE_URL": url_of(self.database), "LEDGER_ADMIN_TOKEN": ADMIN_TOKEN,
               "LEDGER_HOST": "127.0.0.1", "LEDGER_PORT": str(self.port),
               "LEDGER_KEY_FILE": str(RESULTS / "ledger-log.key"), **self.env}
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "ledger", "run"], env=env, cwd=ROOT,
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer /readyz within {timeout} s; see {self.log}")

    def settings_note(self) -> dict[str, str]:
        """The LEDGER_* settings the server ran with besides its database, port, token and key (defaults if none)."""
        own = {"LEDGER_DATABASE_URL", "LEDGER_ADMIN_TOKEN", "LEDGER_HOST", "LEDGER_PORT", "LEDGER_KEY_FILE"}
        merged = {**{k: v for k, v in os.environ.items() if k.startswith("LEDGER_")}, **self.env}
        return {k: v for k, v in sorted(merged.items()) if k not in own}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self.process = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def issue_token(client: httpx.Client, role: str, **scope: Any) -> str:
    response = client.post("/v1/tokens", json={"role": role, **scope}, headers=admin_headers())
    response.raise_for_status()
    return str(response.json()["token"])
