"""The totals a view reads instead of earlier facts (``selection.Totals``): same bytes, fewer facts."""
from __future__ import annotations

from ledger.domain.periods import Period
from projections.selection import OPENING_TYPE, Totals, contributions, select_facts
from projections.views import render
from tests.unit.test_views_support import ORG, Log, canonical


def members_log() -> Log:
    """Three members allotted in 2023, shares passed on in 2024, two distributions, payments over both years."""
    log = Log()
    log.org()
    for n, shares in ((1, 10), (2, 6), (3, 4)):
        log.add("MemberQualified", f"M{n}", "2023-02-01", {"name": f"成员{n}", "household": "H1"})
        log.add("SharesAllotted", f"M{n}", "2023-02-01", {"shares": shares, "share_class": "人口股"})
    log.add("SharesTransferred", "M1", "2024-03-05", {"to_member_id": "M3", "shares": 4, "reason": "inheritance"})
    log.add("SharesTransferred", "M2", "2024-07-05", {"to_member_id": "M1", "shares": 6, "reason": "within_household"})
    log.add("MemberRecordCorrected", "M2", "2024-08-01", {"name": "成员二", "reason": "错字"})
    for distribution, on in (("D-2023", "2024-01-20"), ("D-2024", "2025-01-20")):
        log.add("DistributionDeclared", distribution, on, {
            "resolution_id": "R", "fiscal_year": int(on[:4]) - 1, "distributable": 4_000, "reserve_fund": 1_000,
            "member_distribution": 3_000, "rate_per_share": 100})
    log.add("DividendPaid", "P1", "2024-02-01", {"distribution_id": "D-2023", "member_id": "M1", "amount": 1_000})
    log.add("DividendPaid", "P2", "2024-02-02", {"distribution_id": "D-2023", "member_id": "M2", "amount": 600})
    # paid ahead of its declaration's date (a late entry): the 2025 view shows it against M3
    log.add("DividendPaid", "P3", "2024-12-30", {"distribution_id": "D-2024", "member_id": "M3", "amount": 800})
    log.add("DividendPaid", "P4", "2025-02-01", {"distribution_id": "D-2024", "member_id": "M1", "amount": 1_200})
    return log


def test_a_yearly_view_of_the_totals_is_the_view_of_all_facts() -> None:
    facts, period = members_log().facts(), Period(2025, "year")
    selected = select_facts("yearly", period, facts)
    assert canonical(render("yearly", ORG, period, selected)) == canonical(render("yearly", ORG, period, facts))
    members = render("yearly", ORG, period, selected)["distribution"]["declarations"][0]["members"]
    assert [(m["member_id"], m["shares"], m["paid_fen"]) for m in members] == [("M1", 12, 1_200), ("M3", 8, 800)]
    totals = [(f.kind, f.entity_id, f.effective_date, f.attrs) for f in selected if f.type == OPENING_TYPE]
    assert totals == [
        ("SharesAllotted", "M1", "2023-02-01", {"shares": 12}),
        ("SharesAllotted", "M2", "2023-02-01", {"shares": 0}),
        ("SharesAllotted", "M3", "2023-02-01", {"shares": 8}),
        ("DividendPaid", "", "2024-02-01", {"distribution_id": "D-2023", "member_id": "", "amount": 1_600}),
        ("DividendPaid", "", "2024-12-01", {"distribution_id": "D-2024", "member_id": "M3", "amount": 800}),
    ]
    assert not [f for f in selected if f.kind in ("SharesTransferred",) or f.entity_id in ("P1", "P2", "P3")]
    assert select_facts("yearly", period, selected) == selected


def test_a_monthly_view_sums_earlier_dividends_and_reads_no_member_facts() -> None:
    facts, period = members_log().facts(), Period(2025, "month", 2)
    selected = select_facts("monthly", period, facts)
    assert canonical(render("monthly", ORG, period, selected)) == canonical(render("monthly", ORG, period, facts))
    assert {f.kind for f in selected} & {"SharesAllotted", "SharesTransferred", "MemberQualified"} == set()
    paid = [(f.entity_id, f.attrs) for f in selected if f.kind == "DividendPaid"]
    assert paid == [("", {"distribution_id": "D-2023", "member_id": "", "amount": 1_600}),
                    ("", {"distribution_id": "D-2024", "member_id": "", "amount": 800}),
                    ("P4", {"distribution_id": "D-2024", "member_id": "M1", "amount": 1_200})]


def test_a_contribution_taken_back_leaves_its_month_out() -> None:
    log = Log()
    log.org()
    log.voucher("V1", "2024-03-09", ("101", "debit", 500), ("301", "credit", 500))
    log.voucher("V2", "2024-05-10", ("101", "debit", 70), ("301", "credit", 70))
    totals = Totals(Period(2025, "year"))
    facts = log.facts()
    for f in facts:
        if f.kind == "journal":
            totals.add(f)
    first = [f for f in facts if f.entity_id == "V1"]
    for f in first:
        totals.add(f, -1)
    assert [(f.account, f.effective_date, f.debit, f.credit) for f in totals.facts()] == [
        ("101", "2024-05-01", 70, 0), ("301", "2024-05-01", 0, 70)]


def test_a_share_transfer_moves_shares_between_two_members() -> None:
    log = Log()
    log.add("SharesTransferred", "M1", "2024-03-05", {"to_member_id": "M3", "shares": 4, "reason": "inheritance"})
    assert contributions(log.facts()[0]) == [("shares", "M1", "", -4, 0), ("shares", "M3", "", 4, 0)]


def test_a_dividend_counts_once_per_distribution_and_once_per_member() -> None:
    log = Log()
    log.add("DividendPaid", "P1", "2024-02-01", {"distribution_id": "D-1", "member_id": "M1", "amount": 700})
    assert contributions(log.facts()[0]) == [("paid", "D-1", "", 700, 0), ("paid_member", "D-1", "M1", 700, 0)]
    for declared, expected in (((), ("D-1", "")), (("D-1",), ("D-1", "M1"))):
        totals = Totals(Period(2025, "year"), declared)
        totals.add(log.facts()[0])
        assert [(f.attrs["distribution_id"], f.attrs["member_id"], f.attrs["amount"]) for f in totals.facts()] == [
            (*expected, 700)]
