"""The seed-demo county produces all three audit views for every CO, balanced, from read model and replay alike."""
from __future__ import annotations

from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from projections.audit_views import VIEW_OF_PERIOD, AuditViews, org_of
from projections.projector import Projector
from projections.selection import select_facts
from projections.views import render

PERIODS = [Period.parse(p) for p in ("2025-06", "2025-Q2", "2025")]
SELECTION_PERIODS = [Period.parse(p) for p in ("2024-01", "2024-12", "2024-Q1", "2024-Q3", "2025-Q1", "2025-Q4", "2024")]


def test_every_demo_co_has_all_three_views(services: Services) -> None:
    county = plan_county(scale=0.005, seed=42)
    write_county(services.appender, county)
    views = AuditViews(services.reader)
    now = views.resolve_known_at(None)
    replayed = {(co.org_id, str(p)): views.view(co.org_id, p, now) for co in county.cos for p in PERIODS}
    Projector(services.store).run_once()
    for (org_id, period), by_replay in replayed.items():
        from_model = views.view(org_id, Period.parse(period), now)
        assert from_model.source == "read-model" and by_replay.source == "replay"
        assert from_model.sha256 == by_replay.sha256, (org_id, period)
        body = from_model.body
        if body["view"] == "monthly":
            assert body["trial_balance"]["balanced"] is True, org_id
        if body["view"] == "yearly":
            sheet = body["balance_sheet"]
            assert {k: v for k, v in sheet.items() if k.startswith("balanced")} and all(
                v is True for k, v in sheet.items() if k.startswith("balanced")), org_id
    assert len(replayed) == 56 * 3
    flagged = 0
    for co in county.cos:  # the selection a view reads gives the bytes of all the facts (members, dividends...)
        facts = views.replay(co.org_id, now)
        flagged += sum(f.kind == "flag" for f in facts)
        for period in PERIODS + SELECTION_PERIODS:
            kind = VIEW_OF_PERIOD[period.kind]
            everything = render(kind, org_of(facts, co.org_id), period, facts)
            assert everything == render(kind, org_of(facts, co.org_id), period, select_facts(kind, period, facts))
    assert flagged > 0
