"""The database goes away under load (PostgreSQL cut off by a proxy; SQLite's write lock held by another
process): every request meets 503 problem+json with Retry-After (never a 500), /readyz says so, and
when it comes back the same server recovers with no restart; every retried append is stored once."""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ledger.adapters.sql.migrations import migrate
from ledger.adapters.sql.tables import entries
from ledger.bootstrap import build_services
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.faults.support import TcpProxy, append_until_stored, free_port, wait_ready

CLIENTS, PER_CLIENT = 4, 12


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, Any]]:
    services = build_services(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, services), host="127.0.0.1", port=settings.port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{settings.port}"
    try:
        wait_ready(base)
        yield base, services
    finally:
        server.should_exit = True
        thread.join(30)
        services.engine.dispose()


@contextmanager
def outage_of(database_url: str) -> Iterator[tuple[str, Any, Any]]:
    """(the URL the app uses, start outage, end outage)."""
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database
        holder: dict[str, sqlite3.Connection] = {}

        def start() -> None:
            holder["c"] = sqlite3.connect(path, isolation_level=None)
            holder["c"].execute("BEGIN IMMEDIATE")  # the write lock, as a stuck writer would hold it

        def end() -> None:
            holder.pop("c").rollback()

        yield database_url, start, end
        return
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy.cut, proxy.restore
    finally:
        proxy.close()


def test_an_outage_under_load_answers_503_then_recovers_without_restart(database_url: str, tmp_path: Path) -> None:
    with outage_of(database_url) as (app_url, start_outage, end_outage):
        migrate(app_url)
        settings = Settings(database_url=app_url, admin_token=ADMIN_TOKEN, key_file=tmp_path / "log.key",
                            port=free_port(), lock_timeout_ms=300, statement_timeout_ms=5000)
        with serving(settings) as (base, services):
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            assert httpx.post(base + "/v1/orgs", headers=admin, timeout=10, json={
                "org_id": "TO-001", "name": "断网村股份经济合作社", "street": "城关街道",
                "qualification_cutoff": "2020-06-30"}).status_code == 201
            token = httpx.post(base + "/v1/tokens", headers=admin, timeout=10,
                               json={"role": "cooperative", "org_id": "TO-001"}).json()["token"]
            seen: dict[str, int] = {}
            errors: list[BaseException] = []
            deadline = time.monotonic() + 60

            def client(n: int) -> None:
                try:
                    for i in range(PER_CLIENT):
                        event = {"type": "InventoryBatchOpened", "entity_id": f"QC-{n}-{i:03d}",
                                 "effective_date": "2024-12-01", "data": {"title": f"清产核资 {n}-{i}"}}
                        append_until_stored(base, token, "TO-001", f"k-{n}-{i}", event, seen, deadline)
                        time.sleep(0.02)
                except BaseException as exc:  # collected for the assertion
                    errors.append(exc)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            time.sleep(0.3)
            start_outage()
            try:
                time.sleep(1.0)
                ready = httpx.get(base + "/readyz", timeout=10)
                if database_url.startswith("postgresql"):
                    assert ready.status_code == 503 and ready.headers["retry-after"], ready.text
                    assert ready.json()["database"]["status"] == "down"
                time.sleep(0.5)
            finally:
                end_outage()
            for thread in threads:
                thread.join(90)
            assert errors == []
            assert seen.get("503", 0) > 0 and "500" not in seen, seen
            assert httpx.get(base + "/readyz", timeout=10).status_code == 200
            with services.engine.connect() as conn:
                counts = conn.execute(select(entries.c.idempotency_key, func.count())
                                      .where(entries.c.org_id == "TO-001", entries.c.idempotency_key.is_not(None))
                                      .group_by(entries.c.idempotency_key)).all()
            assert sorted(counts) == sorted((f"k-{n}-{i}", 1) for n in range(CLIENTS) for i in range(PER_CLIENT))


def test_a_database_error_no_retry_cures_stays_a_500(database_url: str, tmp_path: Path) -> None:
    """The 503 mapping is for transient errors only: a missing table is a bug, not an outage."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    services = build_services(Settings(database_url=database_url, admin_token=ADMIN_TOKEN,
                                       key_file=tmp_path / "log.key"))
    try:
        with services.engine.begin() as conn:
            conn.execute(text("DROP TABLE ledger_log_heads"))
        with TestClient(create_app(services.settings, services), raise_server_exceptions=False) as client:
            response = client.post("/v1/orgs", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, json={
                "org_id": "TO-002", "name": "坏表村", "street": "城关街道", "qualification_cutoff": "2020-06-30"})
        assert response.status_code == 500
    finally:
        services.engine.dispose()
