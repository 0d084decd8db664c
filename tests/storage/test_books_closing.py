"""The closing command reads the balances holding the CO's append lock (PostgreSQL: another batch of the CO waits)."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from ledger.adapters.sql.event_store import APPEND_LOCK_SPACE
from ledger.application.append import EventRequest
from ledger.application.books_closing import close_books
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from projections.audit_views import AuditViews
from tests.storage.conftest import register


def rent(number: str, day: str, amount: str) -> EventRequest:
    lines = [{"account": "102", "side": "debit", "amount": amount}, {"account": "501", "side": "credit", "amount": amount}]
    return EventRequest("VoucherPosted", number, date.fromisoformat(day), {"description": "收租金", "lines": lines})


class Watching:
    """The audit views' balances, asking meanwhile whether a batch of the same CO can get in."""

    def __init__(self, services: Services) -> None:
        self.views, self.services = AuditViews(services.reader), services
        self.seen: dict[str, Any] = {}

    def balances(self, org_id: str, day: str) -> Any:
        with self.services.engine.connect() as other:
            got = other.execute(text("SELECT pg_try_advisory_xact_lock(:space, hashtext(:org))"),
                                {"space": APPEND_LOCK_SPACE, "org": org_id}).scalar()
            self.seen["lock_free"] = got
            other.rollback()
        late = threading.Thread(target=self.services.appender.append,
                                args=(org_id, "cooperative:test", [rent("V-LATE", "2024-12-30", "7.00")]))
        late.start()
        late.join(timeout=1.0)
        self.seen["late_waited"] = late.is_alive()
        self.seen["thread"] = late
        return self.views.balances(org_id, day)


def test_the_closing_reads_the_books_under_the_cos_lock(services: Services, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time: the lock is PostgreSQL's (pg_advisory_xact_lock)")
    register(services)
    services.appender.append("TC-001", "cooperative:test", [rent("V-1", "2024-03-03", "100.00")])
    books = Watching(services)
    closed = close_books(services.appender, books, "TC-001", "cooperative:test", Period(2024, "year"), date(2025, 1, 2))
    books.seen["thread"].join(timeout=30)
    assert books.seen["lock_free"] is False and books.seen["late_waited"] is True
    assert [line["amount"] for line in closed.data["lines"] if line["account"] == "501"] == ["100.00"]
    assert books.views.balances("TC-001", "2024-12-31")[0]["501"] == (10_000, 10_700)   # the late one came after
