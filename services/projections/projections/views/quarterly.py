"""The quarterly special audit (季度专项审计): lease roll, rent invoiced and received, arrears by age,
major-matter compliance and the asset changes of the quarter."""
from __future__ import annotations

from typing import Sequence

from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.rules import LEGACY, RULES, Rules
from projections.views.assets import asset_changes
from projections.views.common import Row, add_days, flag_rows, header, within
from projections.views.compliance import major_matters
from projections.views.leasing import (
    AGE_BUCKETS,
    LeaseState,
    ageing,
    lease_states,
    rent_between,
)

EXPIRY_WINDOW_DAYS = 90
"""Leases ending within this many days after the period end are listed as expiring."""


def render_quarterly(org: Row, period: Period, facts: Sequence[Fact], rules: Rules = RULES[LEGACY]) -> Row:
    """The quarterly view of ``period`` from the CO's facts (log order, effective by the period end)."""
    start, end = period.start.isoformat(), period.end.isoformat()
    leases = lease_states(facts, end)
    return {
        **header("quarterly", org, period),
        "lease_roll": lease_roll(leases, start, end),
        "rent": rent_table(leases, start, end),
        "arrears": arrears(leases, end),
        "major_matters": {"acts": major_matters(facts, org, start, end),
                          "flags": flag_rows(facts, start, end, "major-matter-")},
        "asset_changes": asset_changes(facts, start, end),
    }


def lease_roll(leases: dict[str, LeaseState], start: str, end: str) -> Row:
    """Leases active at the end, and those signed, renewed, amended, terminated in the quarter or expiring soon."""
    ordered = [leases[lease_id] for lease_id in sorted(leases)]
    changes = sorted((event for lease in ordered for event in lease.history if within(event["date"], start, end)),
                     key=lambda e: (e["date"], e["position"], e["lease_id"]))
    horizon = add_days(end, EXPIRY_WINDOW_DAYS)
    return {
        "active": [lease.summary(end) for lease in ordered if lease.active_on(end)],
        "signed": [e for e in changes if e["change"] == "signed"],
        "renewed": [e for e in changes if e["change"] == "renewed"],
        "amended": [e for e in changes if e["change"] == "amended"],
        "terminated": [e for e in changes if e["change"] == "terminated"],
        "expiring": [lease.summary(end) for lease in ordered
                     if lease.active_on(end) and end < lease.ends_on <= horizon],
        "expiry_window_days": EXPIRY_WINDOW_DAYS,
    }


def rent_table(leases: dict[str, LeaseState], start: str, end: str) -> Row:
    """Rent invoiced and received per lease in the quarter (by effective date), for leases active or billed in it."""
    rows = []
    for lease_id in sorted(leases):
        lease = leases[lease_id]
        invoiced, received = rent_between(lease, start, end)
        if invoiced or received or (lease.start <= end and start <= lease.ends_on):
            rows.append({"lease_id": lease_id, "asset_id": lease.asset_id, "lessee": lease.lessee,
                         "invoiced_fen": invoiced, "received_fen": received, "difference_fen": invoiced - received})
    totals = {key: sum(r[key] for r in rows) for key in ("invoiced_fen", "received_fen", "difference_fen")}
    return {"leases": rows, "totals": totals}


def arrears(leases: dict[str, LeaseState], end: str) -> Row:
    """Unpaid rent at the period end by lease and age (receipts settle the earliest due invoices first)."""
    rows = []
    for lease_id in sorted(leases):
        lease = leases[lease_id]
        aged = ageing(lease, end)
        if aged["outstanding_fen"] or aged["unapplied_fen"]:
            rows.append({"lease_id": lease_id, "asset_id": lease.asset_id, "lessee": lease.lessee, **aged})
    columns = ("not_due_fen", *(name for name, _, _ in AGE_BUCKETS), "arrears_fen", "outstanding_fen", "unapplied_fen")
    return {"leases": rows, "totals": {column: sum(r[column] for r in rows) for column in columns}}
