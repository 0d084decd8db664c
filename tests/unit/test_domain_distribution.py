"""Distribution: reserve fund first, dividends within shares x rate and within what was declared."""
from __future__ import annotations

from typing import Any

from tests.support.fakes import (
    CUTOFF,
    FakeLedger,
    adopted_resolution,
    new_co,
    refused,
    with_body,
)

PLAN = {"resolution_id": "R-D", "fiscal_year": 2024, "distributable": "100000.00", "reserve_fund": "20000.00",
        "member_distribution": "70000.00", "other": "10000.00", "rate_per_share": "350.00",
        "note": "2024年度收益分配方案"}


def co() -> FakeLedger:
    ledger = with_body(new_co())
    for member_id, name, shares in [("M-1", "张德福", 10), ("M-2", "李秀英", 2)]:
        ledger.append("MemberQualified", member_id, {"name": name, "household_id": member_id,
                                                     "basis": "household_registration"}, on=CUTOFF)
        ledger.append("SharesAllotted", member_id, {"shares": shares}, on=CUTOFF)
    adopted_resolution(ledger, "R-D", on="2025-01-20", major=False)
    return ledger


def declared(**changes: Any) -> FakeLedger:
    ledger = co()
    ledger.append("DistributionDeclared", "D-2024", {**PLAN, **changes}, on="2025-01-20")
    return ledger


def pay(ledger: FakeLedger, dividend_id: str, member_id: str, amount: str, on: str = "2025-02-01") -> Any:
    return ledger.append("DividendPaid", dividend_id, {"distribution_id": "D-2024", "member_id": member_id,
                                                       "amount": amount}, on=on)


def test_distribution_declared_in_fen() -> None:
    dist = declared().entity("D-2024")
    assert (dist.reserve_fund, dist.member_distribution, dist.rate_per_share) == (2_000_000, 7_000_000, 35_000)


def test_reserve_is_set_aside_first() -> None:
    with refused("reserve-exceeds-distributable"):
        declared(reserve_fund="100000.01", member_distribution="0.00", other="0.00")
    with refused("distribution-exceeds-distributable"):
        declared(member_distribution="70000.01")


def test_distribution_needs_an_adopted_resolution() -> None:
    ledger = co()
    ledger.append("MeetingConvened", "MTG-X", {"body": "representatives", "present": 10}, on="2025-01-21")
    ledger.append("MotionVoted", "R-X", {"meeting_id": "MTG-X", "motion": "分配方案", "votes_for": 10,
                                         "votes_against": 0}, on="2025-01-21")
    with refused("distribution-resolution"):
        ledger.append("DistributionDeclared", "D-2024", {**PLAN, "resolution_id": "R-X"}, on="2025-01-21")


def test_dividends_up_to_shares_times_rate() -> None:
    ledger = declared()
    pay(ledger, "P-1", "M-1", "2000.00")
    assert pay(ledger, "P-2", "M-1", "1500.00").entity.amount == 150_000
    with refused("dividend-exceeds-entitlement"):
        pay(ledger, "P-3", "M-1", "0.01")
    with refused("dividend-exceeds-entitlement"):
        pay(ledger, "P-3", "M-2", "700.01")


def test_dividends_never_exceed_what_was_declared() -> None:
    ledger = declared(member_distribution="3600.00", other="0.00")
    pay(ledger, "P-1", "M-1", "3500.00")
    with refused("dividends-exceed-declared"):
        pay(ledger, "P-2", "M-2", "700.00")
    assert pay(ledger, "P-2", "M-2", "100.00").entity.member_id == "M-2"


def test_dividend_before_declaration_is_refused() -> None:
    with refused("dividend-before-declaration"):
        pay(declared(), "P-1", "M-1", "100.00", on="2025-01-19")
