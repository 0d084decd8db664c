"""LEDGER_STATEMENT_TIMEOUT_MS and LEDGER_LOCK_TIMEOUT_MS bound every wait: a query or a lock wait past them is
cancelled, and the API answers that 503 database-unavailable (the client retries)."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from ledger.adapters.sql import tokens
from ledger.adapters.sql.event_store import APPEND_LOCK_SPACE
from ledger.adapters.sql.outages import retryable
from ledger.bootstrap import build_services
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.storage.conftest import register


def test_a_statement_past_the_timeout_is_cancelled_as_retryable(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no statement timeout (its waits are the busy timeout: tests/faults)")
    services = build_services(Settings(database_url=database_url, key_file=tmp_path / "k", statement_timeout_ms=200))
    try:
        with pytest.raises(OperationalError) as caught, services.engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(3)"))
        assert retryable(caught.value) == {"reason": "statement timeout", "sqlstate": "57014"}
    finally:
        services.engine.dispose()


def test_an_append_waiting_past_the_lock_timeout_answers_503(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's lock wait is covered by tests/faults/test_database_outage.py")
    services = build_services(Settings(database_url=database_url, key_file=tmp_path / "k", admin_token=ADMIN_TOKEN,
                                       lock_timeout_ms=300))
    register(services)
    token = tokens.issue_token(services.engine, "cooperative", org_id="TC-001").token
    holder = create_engine(database_url)
    try:
        with holder.connect() as conn, TestClient(create_app(services.settings, services)) as client:
            conn.execute(text("SELECT pg_advisory_xact_lock(:s, hashtext('TC-001'))"), {"s": APPEND_LOCK_SPACE})
            response = client.post("/v1/orgs/TC-001/events", headers={"Authorization": f"Bearer {token}"},
                                   json={"events": [{"type": "InventoryBatchOpened", "entity_id": "QC-1",
                                                     "effective_date": "2024-12-01", "data": {"title": "盘点"}}]})
            conn.rollback()
        assert response.status_code == 503 and response.headers["retry-after"] == "2", response.text
        body = response.json()
        assert body["rule"] == "database-unavailable" and body["values"] == {"reason": "lock timeout",
                                                                             "sqlstate": "55P03"}
    finally:
        holder.dispose()
        services.engine.dispose()
