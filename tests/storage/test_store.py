"""The event store on both databases: immutability, concurrency, positions and the log's head."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text

from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.errors import LedgerError
from tests.storage.conftest import register

APPEND_ONLY = ["ledger_events", "ledger_entries", "ledger_references", "ledger_idempotency", "ledger_log_nodes",
               "ledger_checkpoints", "ledger_closed_periods", "ledger_organizations"]


def cutoff(expected_version: int | None = None) -> EventRequest:
    return EventRequest("QualificationCutoffSet", "TC-001", date(2025, 1, 3),
                        {"qualification_cutoff": "2020-12-31"}, expected_version)


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_events SET originator_version = originator_version + 100",
    "DELETE FROM ledger_events",
    "UPDATE ledger_entries SET actor = 'someone else'",
    "DELETE FROM ledger_entries",
    "DELETE FROM ledger_log_nodes",
    "UPDATE ledger_log_nodes SET idx = idx + 1",
    "UPDATE ledger_organizations SET street = 'elsewhere'",
    "DELETE FROM ledger_organizations",
])
def test_raw_update_and_delete_on_event_tables_fail(services: Services, statement: str) -> None:
    register(services)
    with pytest.raises(Exception, match="append-only"):
        with services.engine.begin() as conn:
            conn.execute(text(statement))
    with services.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ledger_events")).scalar() == 1


def test_truncate_is_refused_on_postgresql(services: Services) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    register(services)
    for table in APPEND_ONLY:
        with pytest.raises(Exception, match="append-only"):
            with services.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {table} CASCADE"))


def test_concurrent_appends_expecting_one_version_let_exactly_one_win(services: Services) -> None:
    register(services)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt() -> None:
        barrier.wait()
        try:
            services.appender.append("TC-001", "cooperative:test", [cutoff(expected_version=1)])
            outcomes.append("ok")
        except LedgerError as exc:
            outcomes.append(f"{exc.status} {exc.rule}")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409 version-conflict"] * 5 + ["ok"]


def test_concurrent_appends_without_expected_version_all_land_in_order(services: Services) -> None:
    register(services)
    errors: list[Exception] = []

    def attempt() -> None:
        try:
            for _ in range(3):
                services.appender.append("TC-001", "cooperative:test", [cutoff()])
        except Exception as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = services.reader.records(org_ids=["TC-001"], limit=100)
    assert [r.entity_version for r in records] == list(range(1, 14))
    with services.engine.connect() as conn:
        leaves = conn.execute(text("SELECT leaf_index FROM ledger_entries ORDER BY position")).scalars().all()
        size = conn.execute(text("SELECT size FROM ledger_log_heads WHERE org_id = 'TC-001'")).scalar()
    assert leaves == list(range(13)) and size == 13


def test_positions_are_global_and_leaf_indexes_are_per_co(services: Services) -> None:
    register(services, "TC-001")
    register(services, "TC-002")
    services.appender.append("TC-001", "cooperative:test", [cutoff()])
    records = services.reader.records(limit=10)
    assert [r.position for r in records] == sorted(r.position for r in records)
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT org_id, leaf_index FROM ledger_entries ORDER BY position")).all()
    assert [tuple(r) for r in rows] == [("TC-001", 0), ("TC-002", 0), ("TC-001", 1)]


def test_a_registration_is_read_once_and_an_unknown_co_is_asked_again(services: Services) -> None:
    with pytest.raises(LedgerError) as missing:
        services.reader.organization("TC-001")
    assert missing.value.rule == "organization-exists"
    register(services)  # registered after the miss: found now
    first = services.reader.organization("TC-001")
    first["street"] = "changed by a caller"
    assert services.reader.organization("TC-001")["street"] == "城关街道"
