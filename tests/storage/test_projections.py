"""Audit views: incremental projection = full rebuild = on-demand replay, hash for hash, on both databases."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from projections.audit_views import AuditViews, answer
from projections.projector import Projector
from projections.store import read_model as store
from tests.storage.conftest import register

COOP = "cooperative:test"


def voucher(number: int, day: date, amount: str, income: str = "501") -> EventRequest:
    lines = [{"account": "102", "side": "debit", "amount": amount, "memo": f"收租金 {number}"},
             {"account": income, "side": "credit", "amount": amount}]
    return EventRequest("VoucherPosted", f"V-{number:04d}", day, {"description": f"凭证 {number}", "lines": lines})


def reversal(number: int, reverses: int, day: date) -> EventRequest:
    return EventRequest("VoucherReversed", f"V-{number:04d}", day,
                        {"reverses": f"V-{reverses:04d}", "reason": "金额错误"})


def story(services: Services) -> None:
    register(services)
    services.appender.append("TC-001", COOP, [voucher(1, date(2025, 1, 5), "1000.00"),
                                              voucher(2, date(2025, 2, 10), "250.50")])
    services.appender.append("TC-001", COOP, [voucher(3, date(2025, 3, 31), "99.99", income="504")])
    services.appender.append("TC-001", COOP, [reversal(4, 2, date(2025, 4, 2)), voucher(5, date(2025, 4, 2), "205.50")])
    services.appender.append("TC-001", COOP, [voucher(6, date(2025, 1, 20), "10.00")])  # a late entry for January


PERIODS = ["2025-01", "2025-02", "2025-Q1", "2025-Q2", "2025"]


def hashes(views: AuditViews, positions: list[int], source: str) -> dict[tuple[str, int], str]:
    out = {}
    for text in PERIODS:
        for position in positions:
            got = views.view("TC-001", Period.parse(text), position)
            assert got.source == source
            out[(text, position)] = got.sha256
    return out


def positions_of(services: Services) -> list[int]:
    return [r.position for r in services.reader.records(org_ids=["TC-001"], limit=1000)]


def test_incremental_rebuild_and_replay_give_the_same_hashes(services: Services) -> None:
    views = AuditViews(services.reader)
    projector = Projector(services.store, page=2)
    register(services)
    projector.run_once()
    story_rest = [voucher(1, date(2025, 1, 5), "1000.00"), voucher(2, date(2025, 2, 10), "250.50")]
    services.appender.append("TC-001", COOP, story_rest)
    projector.run_once()  # incremental, part way
    services.appender.append("TC-001", COOP, [reversal(4, 2, date(2025, 4, 2)), voucher(6, date(2025, 1, 20), "10.00")])
    projector.run_once()
    positions = positions_of(services)
    incremental = hashes(views, positions, "read-model")

    replayed = {}
    for text in PERIODS:
        for position in positions:
            known = views.co_prefix("TC-001", position)
            _, digest = answer("TC-001", Period.parse(text), known, views.replay("TC-001", known["position"]))
            replayed[(text, position)] = digest
    assert replayed == incremental

    projector.rebuild()
    assert hashes(views, positions, "read-model") == incremental
    assert len(set(incremental.values())) > len(PERIODS), "views differ as the log grows"


def test_a_view_asked_between_two_events_of_the_co_is_the_same(services: Services) -> None:
    story(services)
    register(services, "TC-002")
    views = AuditViews(services.reader)
    last_co = positions_of(services)[-1]
    at_co = views.view("TC-001", Period.parse("2025-Q1"), last_co)
    later = views.view("TC-001", Period.parse("2025-Q1"), views.resolve_known_at(None))
    assert later.sha256 == at_co.sha256 and later.body["known_at"]["position"] == last_co


def test_replay_is_used_until_the_read_model_has_caught_up(services: Services) -> None:
    story(services)
    views = AuditViews(services.reader)
    before = views.view("TC-001", Period.parse("2025-Q1"), views.resolve_known_at(None))
    assert before.source == "replay"
    Projector(services.store).run_once()
    after = views.view("TC-001", Period.parse("2025-Q1"), views.resolve_known_at(None))
    assert after.source == "read-model" and after.sha256 == before.sha256


class Crash(Exception):
    pass


def test_a_rebuild_killed_midway_resumes_and_gives_the_same_hashes(services: Services) -> None:
    story(services)
    views = AuditViews(services.reader)
    positions = positions_of(services)
    expected = {text: views.view("TC-001", Period.parse(text), positions[-1]).sha256 for text in PERIODS}
    batches: list[int] = []

    def crash_after_two(done: int, last: int) -> None:
        batches.append(done)
        if len(batches) == 2:
            raise Crash

    with pytest.raises(Crash):
        Projector(services.store, page=2, rebuild_page=2).rebuild(crash_after_two)
    with services.engine.connect() as conn:
        unfinished = store.unfinished_generation(conn)
        assert unfinished is not None and store.active_generation(conn) is None
        assert store.tracked_position(conn, unfinished) == batches[1]
    assert views.view("TC-001", Period.parse("2025-Q1"), positions[-1]).source == "replay"

    Projector(services.store, page=2, rebuild_page=2).rebuild()
    got = {text: views.view("TC-001", Period.parse(text), positions[-1]) for text in PERIODS}
    assert {t: a.sha256 for t, a in got.items()} == expected
    assert all(a.source == "read-model" for a in got.values())
    with services.engine.connect() as conn:
        assert store.active_generation(conn) == unfinished


def _count_rows(services: Services, generation: int) -> int:
    from sqlalchemy import func, select

    table = store.facts_table(generation)
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def test_facts_are_written_exactly_once_across_restarts(services: Services) -> None:
    story(services)
    projector = Projector(services.store, page=1)
    projector.run_once()
    with services.engine.connect() as conn:
        generation = store.active_generation(conn)
    assert generation is not None
    rows = _count_rows(services, generation)
    Projector(services.store, page=1).run_once()
    assert _count_rows(services, generation) == rows
    expected: Any = sum(len(r.data.get("lines", [None])) if r.type == "VoucherPosted" else 1
                        for r in services.reader.records(limit=1000))
    assert rows == expected
