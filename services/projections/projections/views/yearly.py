"""The year-end efficiency audit (年底效益审计): balance sheet, income and distribution statement,
asset roll-forward, rent collection, return on operating assets, the distribution, open findings.

Appropriations (reserve fund, member distribution, other) are those of the distribution plans
declared in the year (DistributionDeclared effective in it, whatever fiscal year they distribute):
the adopted plan is the authority; ``books_difference_fen`` shows whether it was booked (311/322).
"""
from __future__ import annotations

from typing import Sequence

from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.assets import asset_states, roll_forward
from projections.views.common import Row, concerns, day_before, fixed_ratio, header, journal, within
from projections.views.layouts import balance_sheet_2023, income_statement_2023
from projections.views.reconcile import fixed_asset_roll_forward, reconciliations
from projections.views.leasing import LeaseState, lease_states, rent_between
from projections.views.rules import LEGACY, RULES, Rules
from projections.views.statements import balance_sheet, income_statement

RATE_PLACES = 4
"""Rates are decimal strings with four places ("0.8750")."""


def render_yearly(org: Row, period: Period, facts: Sequence[Fact], rules: Rules = RULES[LEGACY]) -> Row:
    """The yearly view of ``period`` from the CO's facts (log order, effective by the period end).

    Under rules v2 reversals are in red ink, and the statements follow the 2023 layouts
    (``layouts``) with the closings the ledger posted left out of the income statement.
    """
    start, end = period.start.isoformat(), period.end.isoformat()
    postings, leases = journal(facts, rules.red_ink), list(lease_states(facts, end).values())
    plans = declarations(facts, start, end)
    appropriations = appropriations_of(plans)
    view = {
        **header("yearly", org, period),
        "asset_roll_forward": roll_forward(facts, start, end),
        "rent_collection": rent_collection(leases, start, end),
        "distribution": {"declarations": plans, "totals": {
            key: sum(d[key] for d in plans)
            for key in ("reserve_fund_fen", "member_distribution_fen", "other_fen", "paid_fen")}},
        "open_findings": open_findings(facts, period if rules.books_2023 else None),
    }
    if not rules.books_2023:
        statement = income_statement(postings, start, end, appropriations)
        result = next(line["amount_fen"] for line in statement["lines"] if line["item"] == "current_year_result")
        view.update({
            "balance_sheet": balance_sheet(postings, start, end),
            "income_statement": statement,
            "return_on_operating_assets": return_on_operating_assets(facts, leases, start, end, result),
        })
        return view
    # rules v2: the 2023 layouts in place of the v1 statements (only one of the two is computed)
    closings = frozenset(f.entity_id for f in facts if f.kind == "ClosingPosted")
    prior = appropriations_of(declarations(facts, f"{period.year - 1:04d}-01-01", day_before(start),
                                           members=False))
    statement = income_statement_2023(postings, start, end, appropriations, prior, closings)
    result = next(line["current_fen"] for line in statement["lines"] if line["item"] == "current_year_result")
    view.update({
        "balance_sheet": balance_sheet_2023(postings, start, end),
        "income_statement": statement,
        "return_on_operating_assets": return_on_operating_assets(facts, leases, start, end, result),
        "fixed_assets": fixed_asset_roll_forward(facts, start, end),
        "reconciliations": reconciliations(facts, postings, start, end, year_end=True),
    })
    return view


def appropriations_of(plans: Sequence[Row]) -> dict[str, int]:
    """The appropriations of the plans declared in a year: reserve fund, member and other distribution."""
    return {"reserve_fund": sum(d["reserve_fund_fen"] for d in plans),
            "member_distribution": sum(d["member_distribution_fen"] for d in plans),
            "other_distribution": sum(d["other_fen"] for d in plans)}


def rent_collection(leases: Sequence[LeaseState], start: str, end: str) -> Row:
    """Rent received over rent invoiced in the year (by effective date), as a fixed-decimal rate."""
    invoiced = received = 0
    for lease in leases:
        billed, paid = rent_between(lease, start, end)
        invoiced, received = invoiced + billed, received + paid
    return {"invoiced_fen": invoiced, "received_fen": received,
            "rate": fixed_ratio(received, invoiced, RATE_PLACES)}


def return_on_operating_assets(facts: Sequence[Fact], leases: Sequence[LeaseState], start: str, end: str,
                               result: int) -> Row:
    """The current-year result over the year-end book value of the assets leased out at some time in the year.

    Assets disposed of by the year end hold no book value and are left out.
    """
    leased = {lease.asset_id for lease in leases if lease.start <= end and start <= lease.ends_on}
    held = asset_states(facts, end)
    assets = sorted(a for a in leased if a in held and not held[a].disposed_on)
    book_value = sum(held[a].book_value for a in assets)
    return {"current_year_result_fen": result, "operating_assets": assets, "book_value_fen": book_value,
            "rate": fixed_ratio(result, book_value, RATE_PLACES)}


def shares_at(facts: Sequence[Fact], end: str) -> dict[str, int]:
    """Each member's shares at ``end``: allotted, less passed on, plus received (as ``members.shares_held``)."""
    shares: dict[str, int] = {}
    for f in facts:
        if f.effective_date > end:
            continue
        if f.kind == "SharesAllotted":
            shares[f.entity_id] = shares.get(f.entity_id, 0) + int(f.attrs["shares"])
        elif f.kind == "SharesTransferred":
            moved, to = int(f.attrs["shares"]), str(f.attrs["to_member_id"])
            shares[f.entity_id] = shares.get(f.entity_id, 0) - moved
            shares[to] = shares.get(to, 0) + moved
    return shares


def member_names(facts: Sequence[Fact]) -> dict[str, str]:
    names: dict[str, str] = {}
    for f in facts:
        if f.kind in ("MemberQualified", "MemberRecordCorrected") and "name" in f.attrs:
            names[f.entity_id] = str(f.attrs["name"])
    return names


def declarations(facts: Sequence[Fact], start: str, end: str, members: bool = True) -> list[Row]:
    """The distribution plans declared in the year, each with its members' shares, entitlement and dividends
    paid (``members=False``: the plans' own figures only, "members" empty and "paid_fen" 0)."""
    declared = [f for f in facts if f.kind == "DistributionDeclared" and within(f.effective_date, start, end)]
    if not declared:
        return []
    shares, names = (shares_at(facts, end), member_names(facts)) if members else ({}, {})
    wanted = {f.entity_id for f in declared}
    paid: dict[tuple[str, str], int] = {}
    for f in facts if members else ():
        if f.kind == "DividendPaid" and f.attrs["distribution_id"] in wanted:
            key = (str(f.attrs["distribution_id"]), str(f.attrs["member_id"]))
            paid[key] = paid.get(key, 0) + int(f.attrs["amount"])
    held = sorted(m for m, n in shares.items() if n)
    rows = []
    for f in declared:
        a, rate = f.attrs, int(f.attrs["rate_per_share"])
        ids = sorted(set(held).union(m for d, m in paid if d == f.entity_id)) if members else []
        member_rows = [{"member_id": m, "name": names.get(m), "shares": shares.get(m, 0),
                        "entitled_fen": shares.get(m, 0) * rate, "paid_fen": paid.get((f.entity_id, m), 0)}
                       for m in ids]
        rows.append({"distribution_id": f.entity_id, "declared_on": f.effective_date, "fiscal_year": a["fiscal_year"],
                     "resolution_id": a.get("resolution_id"), "distributable_fen": int(a["distributable"]),
                     "reserve_fund_fen": int(a["reserve_fund"]),
                     "member_distribution_fen": int(a["member_distribution"]),
                     "other_fen": int(a.get("other", 0)), "rate_per_share_fen": rate,
                     "paid_fen": sum(r["paid_fen"] for r in member_rows), "members": member_rows})
    return sorted(rows, key=lambda r: (r["declared_on"], r["distribution_id"]))


def open_findings(facts: Sequence[Fact], period: Period | None) -> list[Row]:
    """Findings not rectified as the view knows them, by id: under rules v2 (``period`` given) those about
    the year or a quarter or month of it, whenever recorded (a 2024-Q2 finding recorded in 2025 is 2024's);
    under v1 (None) every finding effective by the year end, as v1 always gave."""
    rectified = {f.entity_id for f in facts if f.kind == "FindingRectified"}
    rows = [{"finding_id": f.entity_id, "recorded_on": f.effective_date, "period": f.attrs.get("period"),
             "title": f.attrs.get("title"), "detail": f.attrs.get("detail"),
             "severity": f.attrs.get("severity", "medium"), "subject_ids": sorted(f.attrs.get("subject_ids") or [])}
            for f in facts if f.kind == "FindingRecorded" and f.entity_id not in rectified
            and (period is None or concerns(f.attrs.get("period"), period))]
    return sorted(rows, key=lambda r: r["finding_id"])
