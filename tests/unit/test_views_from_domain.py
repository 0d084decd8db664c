"""The views read what the domain writes: records made by the real handlers (through the fake
context of ``test_domain_fakes``), and the compliance view agrees with the flags the domain raised."""
from __future__ import annotations

from ledger.domain.money import parse_yuan
from ledger.domain.periods import Period
from ledger.log.record import Record
from projections.facts import facts_of_records
from projections.views import render
from tests.support.builders import stored_record
from tests.support.fakes import (
    FakeLedger,
    adopted_resolution,
    filed_matter,
    new_co,
    with_asset,
    with_body,
)
from tests.unit.test_views_support import ORG

RULE_OF_PIECE = {"resolution": "major-matter-resolution", "filing": "major-matter-filing"}


def records_of(ledger: FakeLedger) -> list[Record]:
    """The fake's events as stored records (recorded at noon of their effective date)."""
    return [stored_record(i, e.envelope["org_id"], e.envelope["entity_id"], type(e).__name__,
                          e.envelope["effective_date"], f"{e.envelope['effective_date']}T12:00:00+00:00", e.data,
                          e.envelope["flags"]) for i, e in enumerate(ledger.log, start=1)]


def flagged_co() -> FakeLedger:
    ledger = with_body(new_co(mode="flag"))
    adopted_resolution(ledger, "R-1", on="2024-12-01")
    filed_matter(ledger, "MM-1", subject_id="L-1")
    with_asset(ledger, "A-7")
    with_asset(ledger, "A-8")
    ledger.append("LeaseSigned", "L-1", {"asset_id": "A-7", "lessee": "张三", "start": "2025-01-01",
                                         "end": "2027-12-31", "rent": {"amount": "1500.00", "period": "monthly"},
                                         "resolution_id": "R-1", "filing_id": "MM-1"}, on="2025-01-10")
    ledger.append("LeaseSigned", "L-2", {"asset_id": "A-8", "lessee": "李四", "start": "2025-02-01",
                                         "end": "2026-01-31", "rent": {"amount": "1000.00", "period": "monthly"}},
                  on="2025-01-20")
    ledger.append("LeaseRenewed", "L-2", {"end": "2029-01-31"}, on="2025-03-01")
    ledger.append("TenderAwarded", "T-1", {"project": "市场改造", "contractor": "乙公司", "amount": "50000.00",
                                           "resolution_id": "R-1"}, on="2025-03-05")
    ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-03-01", "deposit": "3000.00", "reason": "押金",
                                          "resolution_id": "R-1", "filing_id": "MM-1"}, on="2025-03-10")
    return ledger


def test_compliance_lists_exactly_what_the_domain_flagged_with_the_same_values() -> None:
    records = records_of(flagged_co())
    acts = render("quarterly", ORG, Period.parse("2025-Q1"), facts_of_records(records))["major_matters"]["acts"]
    by_position = {act["position"]: act for act in acts}
    flagged = {r.position: r.flags for r in records if any(f["rule"].startswith("major-matter-")
                                                          for f in r.flags)}
    assert sorted(flagged) == sorted(p for p, act in by_position.items() if not act["compliant"])
    for position, flags in flagged.items():
        act = by_position[position]
        rules = {f["rule"] for f in flags if f["rule"].startswith("major-matter-")}
        assert {RULE_OF_PIECE[piece] for piece in act["missing"]} == rules
        assert {parse_yuan(f["values"]["amount"]) for f in flags if f["rule"] in rules} == {act["value_fen"]}
    assert [(a["act"], a["entity_id"], a["value_fen"], a["missing"]) for a in acts] == [
        ("lease_signed", "L-1", 5_400_000, []),
        ("lease_renewed", "L-2", 3_600_000, ["resolution", "filing"]),
        ("tender_awarded", "T-1", 5_000_000, ["filing"]),
        ("lease_amended", "L-1", 5_400_000, []),
    ]


def test_below_value_lease_flag_shows_among_the_months_exceptions() -> None:
    records = records_of(flagged_co())
    monthly = render("monthly", ORG, Period.parse("2025-01"), facts_of_records(records))
    assert [(f["entity_id"], f["rule"]) for f in monthly["exceptions"]["flags"]] == [("L-2", "below-value-lease")]


def test_vouchers_and_their_reversal_from_the_domain_balance() -> None:
    ledger = new_co()
    ledger.append("VoucherPosted", "JZ-1", {"description": "收租金", "lines": [
        {"account": "102", "side": "debit", "amount": "4500.00"},
        {"account": "501", "side": "credit", "amount": "4500.00", "memo": "张三一季度租金"}]}, on="2025-03-05")
    ledger.append("VoucherReversed", "HZ-1", {"reverses": "JZ-1", "reason": "重复记账"}, on="2025-03-20")
    view = render("monthly", ORG, Period.parse("2025-03"), facts_of_records(records_of(ledger)))
    assert view["trial_balance"]["totals"]["debit_fen"] == view["trial_balance"]["totals"]["credit_fen"] == 900_000
    assert all(r["closing_debit_fen"] == r["closing_credit_fen"] == 0 for r in view["trial_balance"]["accounts"])
    assert [(v["voucher"], v["reversed_by"], v["reverses"]) for v in view["vouchers"]] == [
        ("JZ-1", "HZ-1", None), ("HZ-1", None, "JZ-1")]
