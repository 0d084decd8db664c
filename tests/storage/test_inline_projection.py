"""The inline projection (``LEDGER_INLINE_PROJECTION``): an append writes its facts and totals in its own
transaction when the read model is caught up to it, and leaves them to the follower otherwise; the two
never write the same facts (on SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ledger.adapters.sql.append_store import SqlAppendTransaction
from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from projections.audit_views import AuditViews, answer
from projections.inline import InlineProjection
from projections.projector import Projector
from projections.store import read_model as store
from tests.storage.conftest import built_services, register
from tests.storage.test_group_commit import in_one_group
from tests.storage.test_running_totals import declared_in_store, pay
from tests.storage.test_totals import active, totals_of
from tests.support.fakes import ORG

COOP = "cooperative:test"


@pytest.fixture
def inline_services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    with built_services(database_url, tmp_path, inline_projection=True) as built:
        yield built


def voucher(number: int, on: date = date(2025, 3, 1), amount: str = "10.00") -> EventRequest:
    return EventRequest("VoucherPosted", f"V-{number}", on, {"description": "凭证", "lines": [
        {"account": "101", "side": "debit", "amount": amount}, {"account": "501", "side": "credit", "amount": amount}]})


def state(services: Services) -> tuple[int, list[Any], list[Any]]:
    """The active generation's tracking position, facts (attributes parsed) and totals."""
    with services.engine.connect() as conn:
        generation = store.active_generation(conn)
        assert generation is not None
        table = store.facts_table(generation)
        facts = [(*r[:-1], json.loads(r[-1]))  # attrs as values (a set-based rebuild spells them PostgreSQL's way)
                 for r in conn.execute(select(table).order_by(table.c.position, table.c.seq)).all()]
        tracked = store.tracked_position(conn, generation)
    return tracked, facts, totals_of(services, generation)


def inline_of(services: Services) -> InlineProjection:
    hook = services.appender.store.inline  # type: ignore[attr-defined]
    assert isinstance(hook, InlineProjection)
    return hook


def test_an_append_is_in_the_read_model_at_its_commit(inline_services: Services) -> None:
    services = inline_services
    write_county(services.appender, plan_county(scale=0.005, seed=4))  # no read model yet: left to the follower
    projector = Projector(services.store)
    projector.run_once()
    register(services, "TI-001")
    for n in range(3):
        services.appender.append("TI-001", COOP, [voucher(n), voucher(100 + n, date(2024, 11, 2))])
    last = services.reader.last_position()
    tracked, facts, totals = state(services)
    assert tracked == last and inline_of(services).written == 1 + 6
    views = AuditViews(services.reader)
    for period in (Period(2025, "year"), Period(2025, "month", 3), Period(2025, "quarter", 1)):
        now = views.view("TI-001", period, last)
        known = views.co_prefix("TI-001", last)
        assert now.source == "read-model"
        assert now.sha256 == answer("TI-001", period, known, views.replay("TI-001", known["position"]))[1]
    assert projector.run_once() == 0  # nothing left for the follower
    projector.rebuild()  # the facts and totals the inline projection wrote are a rebuild's
    assert state(services)[1:] == (facts, totals)


def test_behind_the_follower_an_append_leaves_its_facts_to_it_then_goes_on(inline_services: Services) -> None:
    services = inline_services
    register(services, "TI-002")
    projector = Projector(services.store)
    projector.run_once()
    with services.engine.begin() as conn:  # the follower has not yet projected the registration
        generation = store.active_generation(conn)
        store.set_tracked_position(conn, generation, 0)
        store.delete_facts_after(conn, generation, 0)
        conn.execute(store.totals_table(generation).delete())
        store._insert_position(conn, generation)  # the totals, too, have summed nothing yet
    services.appender.append("TI-002", COOP, [voucher(1)])
    assert state(services)[0] == 0 and inline_of(services).left == 2  # the registration (no read model), this
    assert projector.catch_up(generation) == 2
    services.appender.append("TI-002", COOP, [voucher(2)])
    tracked, facts, totals = state(services)
    assert tracked == services.reader.last_position() and inline_of(services).written == 1
    projector.rebuild()
    assert state(services)[1:] == (facts, totals)


def test_a_follower_pass_an_append_moved_past_ends_quietly_and_writes_nothing_twice(
        inline_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The follower read the tracking position, then an append projected itself: the follower's page
    holds the append's events, and its batch (from the stale position) must not be written."""
    services = inline_services
    register(services, "TI-003")
    projector = Projector(services.store, page=2)
    projector.run_once()
    generation = active(services)
    stale = state(services)[0]
    real = store.tracked_position

    def read_then_append(conn: Any, asked: int) -> int:
        position = real(conn, asked)
        monkeypatch.setattr(store, "tracked_position", real)
        services.appender.append("TI-003", COOP, [voucher(1), voucher(2), voucher(3)])  # inline: moves the tracking
        return position

    monkeypatch.setattr(store, "tracked_position", read_then_append)
    assert projector.catch_up(generation) == 0
    tracked, facts, totals = state(services)
    assert tracked == services.reader.last_position() > stale and inline_of(services).written == 3
    assert [f[5] for f in facts if f[3] == "journal"] == ["V-1", "V-1", "V-2", "V-2", "V-3", "V-3"]
    assert projector.run_once() == 0
    projector.rebuild()
    assert state(services)[1:] == (facts, totals)


def test_an_append_rolled_back_after_its_inline_write_takes_its_facts_back_with_it(
        inline_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """A group member that fails after its facts were written (here: a lost race reported once its writes
    and its inline write are done, so the appender runs it again) rolls them back with its savepoint; the
    retry writes them once."""
    services = inline_services
    declared_in_store(services)
    Projector(services.store).run_once()
    real, calls = SqlAppendTransaction.finish, []

    def finish(self: SqlAppendTransaction) -> None:
        real(self)  # the batch's writes sent and its facts written
        calls.append(self.org_id)
        if len(calls) == 2:  # the second member
            assert inline_of(services).written >= 2
            raise IntegrityError("INSERT INTO ledger_idempotency", {}, Exception("a lost race"))

    monkeypatch.setattr(SqlAppendTransaction, "finish", finish)
    results, commits = in_one_group(services, [
        lambda a: a.append(ORG, COOP, [pay("P-1", "M-1", "100.00")], idempotency_key="k-1"),
        lambda a: a.append(ORG, COOP, [pay("P-2", "M-1", "200.00")], idempotency_key="k-2"),
        lambda a: a.append(ORG, COOP, [pay("P-3", "M-2", "100.00")], idempotency_key="k-3"),
    ])
    assert all(not isinstance(r, Exception) for r in results), results
    assert len(calls) == 4  # P-2 finished twice: once rolled back, once kept
    tracked, facts, totals = state(services)
    assert tracked == services.reader.last_position()
    assert sorted(f[5] for f in facts if f[3] == "DividendPaid" and f[5].startswith("P-")) == ["P-1", "P-2", "P-3"]
    with services.engine.connect() as conn:
        generation = store.active_generation(conn)
        paid = conn.execute(select(func.sum(store.totals_table(generation).c.debit)).where(
            store.totals_table(generation).c.kind == "paid")).scalar()
    assert paid == sum(f[11]["amount"] for f in facts if f[3] == "DividendPaid")
    Projector(services.store).rebuild()
    assert state(services)[1:] == (facts, totals)


def test_an_append_whose_generation_was_dropped_meanwhile_is_stored_and_left_to_the_follower(
        inline_services: Services) -> None:
    """A rebuild's swap may drop the generation an append found active: the append still commits."""
    services = inline_services
    register(services, "TI-004")
    projector = Projector(services.store)
    projector.run_once()
    generation = active(services)
    store.facts_table(generation).drop(services.engine)  # what the swap's drop does under the append
    outcome = services.appender.append("TI-004", COOP, [voucher(1)])
    assert outcome.body["events"][0]["position"] == services.reader.last_position()
    assert inline_of(services).left == 2 and inline_of(services).written == 0  # the registration, this one
    with services.engine.connect() as conn:
        assert store.tracked_position(conn, generation) < services.reader.last_position()
    projector.rebuild()
    tracked, facts, _ = state(services)
    assert tracked == services.reader.last_position() and "V-1" in {f[5] for f in facts}
