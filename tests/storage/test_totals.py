"""The read model's monthly totals (``store.totals_table``): kept with the facts, built at once by a
rebuild, the same either way, and what a view as known now reads (on SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select, update

from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from projections.audit_views import VIEW_OF_PERIOD, AuditViews
from projections.facts import facts_of_records
from projections.projector import Projector
from projections.selection import OPENING_TYPE, select_facts
from projections.store import read_model as store
from tests.storage.conftest import built_services

PERIODS = [Period.parse(p) for p in ("2024-01", "2025-03", "2025-Q2", "2024", "2025")]


def totals_of(services: Services, generation: int) -> list[tuple[Any, ...]]:
    table = store.totals_table(generation)
    with services.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(*list(table.c)[:5])).all()]


def active(services: Services) -> int:
    with services.engine.connect() as conn:
        generation = store.active_generation(conn)
    assert generation is not None
    return generation


def test_totals_kept_batch_by_batch_are_the_totals_a_rebuild_makes(services: Services) -> None:
    county = plan_county(scale=0.005, seed=11)
    write_county(services.appender, county)
    projector = Projector(services.store, page=97)  # many batches, each its own upsert
    projector.catch_up(incremental := store.start_generation(services.engine))
    store.swap_in(services.engine, incremental)  # complete: a rebuild now starts a generation of its own
    kept = totals_of(services, incremental)
    projector.rebuild()
    rebuilt = active(services)
    assert rebuilt != incremental
    built = totals_of(services, rebuilt)
    assert kept == built
    kinds = {row[1] for row in built}
    assert kinds == {"journal", "shares", "paid", "paid_member", store.POSITION_KIND}
    # transfers move shares between members: the members' nets add up to what was allotted
    facts = [f for co in county.cos for f in AuditViews(services.reader).replay(co.org_id, projector.last_position())]
    assert any(f.kind == "SharesTransferred" for f in facts)
    assert sum(row[5] for row in built if row[1] == "shares") == sum(
        int(f.attrs["shares"]) for f in facts if f.kind == "SharesAllotted")
    assert sum(row[7] for row in built if row[1] == "journal") == sum(f.kind == "journal" for f in facts)


def test_a_view_as_known_now_reads_the_totals_and_gives_the_selection_of_all_facts(services: Services) -> None:
    county = plan_county(scale=0.005, seed=5)
    write_county(services.appender, county)
    projector = Projector(services.store)
    projector.run_once()
    views = AuditViews(services.reader)
    generation = active(services)
    now = views.resolve_known_at(None)
    for co in county.cos[:6]:
        known = views.co_prefix(co.org_id, now)
        facts = views.replay(co.org_id, known["position"])
        for period in PERIODS:
            view = VIEW_OF_PERIOD[period.kind]
            with services.engine.connect() as conn:
                got = store.read_selection(conn, generation, co.org_id, known["position"], view, period)
            assert [(f, f.attrs) for f in got] == [(f, f.attrs) for f in select_facts(view, period, facts)]
    # the totals really are read: a changed total changes the view as known now, not one known earlier
    org_id = county.cos[0].org_id
    known = views.co_prefix(org_id, now)
    earlier = views.view(org_id, Period(2025, "year"), known["position"] - 1)
    before = views.view(org_id, Period(2025, "year"), now)
    table = store.totals_table(generation)
    with services.engine.begin() as conn:
        conn.execute(update(table).where(table.c.org_id == org_id, table.c.kind == "journal",
                                         table.c.month < "2025-01").values(debit=table.c.debit + 1))
    assert views.view(org_id, Period(2025, "year"), now).sha256 != before.sha256
    assert views.view(org_id, Period(2025, "year"), known["position"] - 1).sha256 == earlier.sha256


def test_a_fact_the_totals_hold_beyond_the_prefix_sends_the_view_to_the_facts(services: Services) -> None:
    """Known now, the view's prefix ends at the CO's last event; a batch that lands after it was fixed
    (here: the read model ahead of the asked position) must not be read through the totals."""
    write_county(services.appender, county := plan_county(scale=0.005, seed=5))
    org_id = county.cos[0].org_id
    views = AuditViews(services.reader)
    asked = views.co_prefix(org_id, views.resolve_known_at(None))["position"]
    services.appender.append(org_id, "cooperative:test", [EventRequest("VoucherPosted", "V-LATE", date(2024, 5, 1), {
        "description": "补记", "lines": [{"account": "101", "side": "debit", "amount": "99.00"},
                                       {"account": "501", "side": "credit", "amount": "99.00"}]})])
    Projector(services.store).run_once()
    generation = active(services)
    facts = [f for f in views.replay(org_id, asked)]
    with services.engine.connect() as conn:
        got = store.read_selection(conn, generation, org_id, asked, "yearly", Period(2025, "year"))
    assert got == select_facts("yearly", Period(2025, "year"), facts)
    assert any(f.type == OPENING_TYPE for f in got)


def test_a_generation_without_totals_gets_them_from_the_follower(services: Services) -> None:
    write_county(services.appender, plan_county(scale=0.005, seed=2))
    projector = Projector(services.store)
    projector.run_once()
    generation = active(services)
    expected = totals_of(services, generation)
    store.totals_table(generation).drop(services.engine)  # what a release before the totals left
    store._TOTALS_READY.clear()
    with services.engine.connect() as conn:
        assert not store.has_totals(conn, generation)
    projector.run_once()
    assert totals_of(services, generation) == expected


@pytest.fixture
def worker_services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    """Services whose appends leave the read model to the follower (no inline projection)."""
    with built_services(database_url, tmp_path, inline_projection=False) as built:
        yield built


def test_totals_a_writer_without_them_left_behind_are_not_read_and_are_made_again(worker_services: Services) -> None:
    """A release before the totals, run against this read model, moves the tracking and writes facts but
    no totals: views known now must read the facts until the follower has made the totals again."""
    services = worker_services
    county = plan_county(scale=0.005, seed=8)
    write_county(services.appender, county)
    org_id = county.cos[0].org_id
    projector = Projector(services.store)
    projector.run_once()
    generation = active(services)
    services.appender.append(org_id, "cooperative:test", [EventRequest("VoucherPosted", "V-OLD", date(2024, 4, 1), {
        "description": "旧版本写入", "lines": [{"account": "101", "side": "debit", "amount": "77.00"},
                                          {"account": "501", "side": "credit", "amount": "77.00"}]})])
    with services.engine.connect() as conn:
        after = store.tracked_position(conn, generation)
    records = [r for r in services.reader.records(after=after, limit=100)]
    with services.engine.begin() as conn:  # what the earlier release's follower does: facts, tracking, no totals
        if store.tracked_position(conn, generation) == after:
            store.write_facts(conn, generation, {r.position: r.org_id for r in records},
                              facts_of_records(records), after, records[-1].position, totals=False)
    views = AuditViews(services.reader)
    known = views.co_prefix(org_id, views.resolve_known_at(None))
    facts = views.replay(org_id, known["position"])
    with services.engine.connect() as conn:
        assert store.tracked_position(conn, generation) == services.reader.last_position()
        assert not store.totals_ready(conn, generation)
        got = store.read_selection(conn, generation, org_id, known["position"], "yearly", Period(2025, "year"))
    assert got == select_facts("yearly", Period(2025, "year"), facts)
    projector.run_once()
    with services.engine.connect() as conn:
        assert store.totals_ready(conn, generation)
    expected = totals_of(services, generation)
    projector.rebuild()
    assert totals_of(services, active(services)) == expected
