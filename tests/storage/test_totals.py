"""The read model's monthly totals (``store.totals_table``): kept with the facts, built at once by a
rebuild, the same either way, and what a view as known now reads (on SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from projections.audit_views import VIEW_OF_PERIOD, AuditViews
from projections.projector import Projector
from projections.selection import OPENING_TYPE, select_facts
from projections.store import read_model as store

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
    assert kinds == {"journal", "shares", "paid", "paid_member"}
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
