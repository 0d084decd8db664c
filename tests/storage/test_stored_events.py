"""An appender keeps the stored events it read between batches; what another appender (another API process)
stored since is still seen: the CO's log moved, so nothing kept is used."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from ledger.adapters.sql.append_store import SqlAppendStore
from ledger.application.append import Appender, BatchError, EventRequest
from ledger.bootstrap import Services
from tests.storage.test_running_totals import declared_in_store, pay
from tests.support.fakes import ORG

COOP = "cooperative:test"


def another_process(services: Services) -> Appender:
    return Appender(SqlAppendStore(services.store), services.signer, services.settings.log_origin)


def test_shares_moved_by_another_process_count_for_the_next_dividend(services: Services) -> None:
    declared_in_store(services)  # M-1: 10 shares x 350.00 = 3,500.00 yuan
    services.appender.append(ORG, COOP, [pay("P-1", "M-1", "100.00")])  # M-1 read, and kept
    another_process(services).append(ORG, COOP, [EventRequest(
        "SharesTransferred", "M-1", date(2025, 2, 2), {"to_member_id": "M-2", "shares": 5, "reason": "inheritance"})])
    with pytest.raises(BatchError) as refused:
        services.appender.append(ORG, COOP, [pay("P-2", "M-1", "2000.00")])
    assert refused.value.rule == "dividend-exceeds-entitlement"
    assert refused.value.values["shares"] == 5


def test_versions_written_by_another_process_are_the_versions_expected(services: Services) -> None:
    declared_in_store(services)

    def correct(appender: Appender, name: str, expected: int | None = None) -> int:
        outcome = appender.append(ORG, COOP, [EventRequest("MemberRecordCorrected", "M-1", date(2025, 3, 1),
                                                           {"name": name, "reason": "typo"}, expected)])
        return int(outcome.body["events"][0]["entity_version"])

    version = correct(services.appender, "张德富")
    assert correct(another_process(services), "张得福", expected=version) == version + 1
    assert correct(services.appender, "张德福", expected=version + 1) == version + 2


def test_a_batch_reads_what_the_same_appender_stored_before(services: Services) -> None:
    declared_in_store(services)
    services.appender.append(ORG, COOP, [pay("P-1", "M-1", "100.00")])
    moved = services.appender.append(ORG, COOP, [EventRequest(
        "SharesTransferred", "M-1", date(2025, 2, 2), {"to_member_id": "M-2", "shares": 5, "reason": "inheritance"})])
    log = moved.body["log"]
    kept = services.appender.store.stored.at(ORG, (log["tree_size"], log["checkpoint"])).entries["M-1"]
    assert len(kept) == moved.body["events"][0]["entity_version"]  # the transfer was added to what was kept
    with pytest.raises(BatchError) as refused:
        services.appender.append(ORG, COOP, [pay("P-2", "M-1", "2000.00")])
    assert refused.value.values["shares"] == 5


def test_the_next_batch_reads_no_stored_event_it_kept(services: Services) -> None:
    declared_in_store(services)
    services.appender.append(ORG, COOP, [pay("P-1", "M-1", "100.00")])  # reads M-1, M-2's citations, P-1...
    asked: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM ledger_events" in statement:
            asked.append(len(parameters))  # the entity ids asked for

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        services.appender.append(ORG, COOP, [pay("P-2", "M-1", "100.00")])  # the same member and distribution
        assert sum(asked) == 1  # only the new payment's id: the rest was kept
        asked.clear()
        another_process(services).append(ORG, COOP, [pay("P-3", "M-2", "100.00")])
        asked.clear()
        services.appender.append(ORG, COOP, [pay("P-4", "M-1", "100.00")])  # the log moved: read again
        assert sum(asked) > 1
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
