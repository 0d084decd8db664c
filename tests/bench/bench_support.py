"""What every benchmark shares: databases, timing statistics, time budgets, the API server.

All traffic goes to 127.0.0.1. Every loop in the benchmarks is bounded by a count and by a
deadline; a figure is the median of at least three runs, reported with its minimum and maximum.
"""
from __future__ import annotations

import os
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

from tests.support.server import (  # noqa: F401 (free_port: re-exported)
    LedgerServer,
    free_port,
    stop_process,
)

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


_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds (user + system) of a process from /proc (all its threads; with ``children``, also those
    of its children that ended and were reaped: for the postmaster, the backends that closed)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / _TICK


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children, as they are now (uvicorn's supervisor and its workers)."""
    return _process_cpu(pid) + sum(_process_cpu(child) for child in _children(pid))


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (backends, and with the postmaster's reaped
    children those that ended), or 0 where /proc is not readable."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="ascii") as comm:
                    if not comm.read().startswith("postgres"):
                        continue
            except OSError:
                continue
            total += _process_cpu(int(entry), children=True)
    return total


@dataclass
class CpuMeter:
    """Where the CPU of a measured stretch went: the API server (its process and worker processes), the
    projection worker's process (when there is one), PostgreSQL, the load client (this process), as
    seconds and as cores busy over the wall time."""

    server_pid: int
    projector_pid: int | None = None
    started: tuple[float, ...] = ()

    def _now(self) -> tuple[float, ...]:
        own = os.times()
        projector = _process_cpu(self.projector_pid) if self.projector_pid else 0.0
        return (time.perf_counter(), _tree_cpu(self.server_pid), projector, postgres_cpu(), own.user + own.system)

    def __enter__(self) -> CpuMeter:
        self.started = self._now()
        return self

    def __exit__(self, *_: Any) -> None:
        self.wall, self.server, self.projector, self.postgres, self.client = (
            after - before for after, before in zip(self._now(), self.started))

    def per_event(self, events: int) -> dict[str, float]:
        """CPU ms an event of each part, and the cores busy (of the machine's) over the stretch."""
        events = max(events, 1)
        busy = self.server + self.projector + self.postgres + self.client
        return {"server_cpu_ms": self.server / events * 1000, "projector_cpu_ms": self.projector / events * 1000,
                "postgres_cpu_ms": self.postgres / events * 1000, "client_cpu_ms": self.client / events * 1000,
                "server_cores": self.server / self.wall, "busy_cores": busy / self.wall}


class ProjectorProcess:
    """``ledger project --follow`` on one of the bench's databases, in a subprocess (the compose file's
    ``projector`` service beside the API)."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ProjectorProcess:
        log = open(RESULTS / f"projector-{self.database}.log", "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "ledger", "project", "--follow"], cwd=ROOT,
                                        env={**os.environ, "LEDGER_DATABASE_URL": url_of(self.database)},
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_active()
        return self

    def _wait_active(self, timeout: float = 120.0) -> None:
        """Until the worker has a read model in service (its start-up is not in what is measured after)."""
        engine = create_engine(url_of(self.database))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"the projection worker exited ({self.process.returncode})")
                with engine.connect() as conn:
                    try:
                        if conn.execute(text("SELECT generation FROM proj_active")).first() is not None:
                            time.sleep(1.5)  # its first pass after the swap done
                            return
                    except Exception:  # noqa: BLE001 - the table not made yet
                        conn.rollback()
                time.sleep(0.2)
        finally:
            engine.dispose()
        raise TimeoutError(f"the projection worker had no read model in service within {timeout} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __exit__(self, *_: Any) -> None:
        stop_process(self.process)
