"""Replica reads (LEDGER_READ_DATABASE_URL): exact for the position they name, never silently stale.

The "replica" is a copy of the primary taken after two vouchers (a file copy on SQLite, CREATE
DATABASE ... TEMPLATE on PostgreSQL); the primary then gets a third. That is a standby two
positions behind that never catches up: what a read says about it can be checked exactly.
"""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from ledger.bootstrap import Services, build_services
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.api.conftest import Api
from tests.api.test_audit import voucher
from tests.conftest import ADMIN_TOKEN, _url_with_db


def _copy_database(database_url: str, postgres_admin: Any, tmp_path: Path) -> tuple[str, str | None]:
    """A copy of the database as it is now: (its URL, the PostgreSQL database to drop after)."""
    if database_url.startswith("sqlite"):
        source = Path(database_url[len("sqlite:///"):])
        target = tmp_path / "replica.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}", None
    name = f"{database_url.rsplit('/', 1)[1]}_r{uuid.uuid4().hex[:4]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{database_url.rsplit("/", 1)[1]}"'))
    return _url_with_db(name), name


@pytest.fixture
def lagging(database_url: str, tmp_path: Path, postgres_admin: Any) -> Iterator[tuple[Api, int]]:
    """An API whose replica misses the primary's last event; (api, that event's position)."""
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, key_file=tmp_path / "log.key")
    first = build_services(settings)
    with TestClient(create_app(settings, services=first)) as client:
        api = Api(client, first)
        api.register_org("TC-001", street="城关街道")
        coop = api.token("cooperative", org_id="TC-001")
        for number, day in (("V-1", "2025-01-10"), ("V-2", "2025-01-20")):
            assert api.append("TC-001", coop, [voucher(number, day, "100.00")]).status_code == 201
    first.engine.dispose()
    replica_url, dropped = _copy_database(database_url, postgres_admin, tmp_path)
    services: Services = build_services(Settings(database_url=database_url, admin_token=ADMIN_TOKEN,
                                                 key_file=tmp_path / "log.key", read_database_url=replica_url,
                                                 replica_wait_ms=300))
    try:
        with TestClient(create_app(services.settings, services=services)) as client:
            api = Api(client, services)
            api.coop = api.token("cooperative", org_id="TC-001")  # type: ignore[attr-defined]
            third = api.append("TC-001", api.coop, [voucher("V-3", "2025-01-30", "100.00")])  # type: ignore[attr-defined]
            assert third.status_code == 201, third.text
            yield api, third.json()["events"][0]["position"]
    finally:
        services.engine.dispose()
        assert services.replica is not None
        services.replica.store.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
        if dropped:
            with postgres_admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))


def test_a_replica_answer_names_its_position_and_how_far_behind_it_is(lagging: tuple[Api, int]) -> None:
    api, last = lagging
    now = api.request("GET", "/v1/orgs/TC-001/audit/2025-01", token=api.coop)  # type: ignore[attr-defined]
    assert now.status_code == 200, now.text
    assert now.headers["Ledger-Read-From"] == "replica"
    assert now.headers["Ledger-Replica-Lag-Positions"] == "1"
    view = now.json()["as_known"]["view"]
    assert view["known_at"]["position"] == last - 1  # exact for the replica's position, not the primary's


def test_a_position_the_replica_lacks_is_answered_by_the_primary(lagging: tuple[Api, int]) -> None:
    api, last = lagging
    asked = api.request("GET", f"/v1/orgs/TC-001/audit/2025-01?known_at={last}", token=api.coop)  # type: ignore[attr-defined]
    assert asked.status_code == 200, asked.text
    assert asked.headers["Ledger-Read-From"] == "primary"
    assert asked.json()["as_known"]["view"]["known_at"]["position"] == last
    earlier = api.request("GET", f"/v1/orgs/TC-001/audit/2025-01?known_at={last - 1}",
                          token=api.coop)  # type: ignore[attr-defined]
    assert earlier.headers["Ledger-Read-From"] == "replica"
    assert earlier.json()["as_known"]["view"]["known_at"]["position"] == last - 1


def test_writes_tokens_and_readiness_stay_on_the_primary(lagging: tuple[Api, int]) -> None:
    api, last = lagging
    fresh = api.token("cooperative", org_id="TC-001")  # issued on the primary, unknown to the replica copy
    events = api.request("GET", "/v1/orgs/TC-001/events", token=fresh)
    assert events.status_code == 200, events.text
    assert events.headers["Ledger-Read-From"] == "replica"
    assert [e["position"] for e in events.json()["events"]][-1] == last - 1
    ready = api.request("GET", "/readyz", token=None).json()
    assert ready["replica"]["status"] == "ready"
    assert ready["replica"]["lag_positions"] == 1


def test_an_unreachable_replica_sends_reads_to_the_primary(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("an unreachable server is a PostgreSQL case (SQLite creates a missing file)")
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, key_file=tmp_path / "log.key",
                        read_database_url="postgresql://postgres@127.0.0.1:1/none?connect_timeout=1")
    services = build_services(settings)
    try:
        with TestClient(create_app(settings, services=services)) as client:
            api = Api(client, services)
            api.register_org("TC-001", street="城关街道")
            coop = api.token("cooperative", org_id="TC-001")
            answer = api.request("GET", "/v1/orgs/TC-001/audit/2025-01", token=coop)
            assert answer.status_code == 200, answer.text
            assert answer.headers["Ledger-Read-From"] == "primary"
            assert api.request("GET", "/readyz", token=None).json()["replica"]["status"] == "unavailable"
    finally:
        services.engine.dispose()
