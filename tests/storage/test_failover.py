"""What the ledger does when its PostgreSQL server stops being the primary, or has no standby.

The cluster itself is exercised in tests/ha (pg_auto_failover); these run on the one test server.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from ledger.adapters.sql import failover
from ledger.adapters.sql.urls import normalize_url
from ledger.bootstrap import build_services
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.api.conftest import Api
from tests.api.test_audit import voucher
from tests.conftest import ADMIN_TOKEN


def _postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server's role; SQLite has no standby")


def test_a_server_turned_read_only_invalidates_the_connection(database_url: str) -> None:
    _postgres_only(database_url)
    engine = create_engine(normalize_url(database_url))
    failover.install(engine)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))
            conn.commit()
            with pytest.raises(DBAPIError) as refused:
                conn.execute(text("CREATE TABLE demoted_primary (a int)"))
        assert refused.value.orig.pgcode == "25006"  # type: ignore[union-attr]
        assert refused.value.connection_invalidated  # the pool drops it: the next checkout finds the primary
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_without_a_standby_an_append_is_not_acknowledged_when_one_is_required(database_url: str,
                                                                               tmp_path: Path) -> None:
    _postgres_only(database_url)
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, key_file=tmp_path / "log.key",
                        require_standby=True)
    services = build_services(settings)
    services.appender.store.standby_wait_s = 0.2  # type: ignore[attr-defined]
    try:
        with TestClient(create_app(settings, services=services)) as client:
            api = Api(client, services)
            refused = api.request("POST", "/v1/orgs", json={"org_id": "TC-001", "name": "TC-001 股份经济合作社",
                                                            "street": "城关街道", "qualification_cutoff": "2020-06-30"})
            assert refused.status_code == 503, refused.text
            problem = refused.json()
            assert problem["rule"] == "commit-not-replicated"
            assert refused.headers["Retry-After"] == "2"
            assert refused.headers["content-type"].startswith("application/problem+json")
            # It committed on the primary alone: stored, but never acknowledged. A retry with the same
            # Idempotency-Key would answer from the stored record once a standby has it.
            assert services.reader.organizations()[0]["org_id"] == "TC-001"
            services.appender.store.require_standby = False  # type: ignore[attr-defined]
            coop = api.token("cooperative", org_id="TC-001")
            services.appender.store.require_standby = True  # type: ignore[attr-defined]
            again = api.append("TC-001", coop, [voucher("V-1", "2025-01-10", "1.00")],
                               headers={"Idempotency-Key": "k-1"})
            assert again.status_code == 503
            replay = api.append("TC-001", coop, [voucher("V-1", "2025-01-10", "1.00")],
                                headers={"Idempotency-Key": "k-1"})
            assert replay.status_code == 503  # the stored answer is not given either until a standby has it
            assert len(services.reader.records(org_ids=["TC-001"], limit=10)) == 2
    finally:
        services.engine.dispose()
