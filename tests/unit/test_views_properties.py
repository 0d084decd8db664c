"""Invariants of the audit views over random valid ledgers (hypothesis).

A ledger is a random sequence of balanced vouchers on the 2023 chart, reversals, asset
registrations, revaluations, transfers and disposals, leases with invoices, receipts and
terminations, distributions, members with their shares, transfers and dividends, and findings, with effective dates over 2024-2025 in any order and
some entries recorded late.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.domain.chart import CHART
from ledger.domain.periods import Period
from projections.facts import facts_of_records
from projections.selection import select_facts
from projections.views import render
from projections.views.assets import asset_states
from projections.views.common import day_before
from tests.unit.test_views_support import ORG, VIEW_OF_KIND, Log, canonical, json_kinds

ACCOUNTS = sorted(CHART)
DAY0 = date(2024, 1, 1)
days = st.integers(0, 730).map(lambda n: (DAY0 + timedelta(days=n)).isoformat())
amounts = st.integers(1, 1_000_000)
ACTIONS = ("voucher", "voucher", "voucher", "reversal", "asset", "revalue", "transfer", "dispose", "lease",
           "invoice", "invoice", "receive", "receive", "terminate", "amend", "renew", "tender", "declare", "finding",
           "rectify", "member", "member", "shares", "pay", "pay", "rename")


class Draw:
    """One random ledger being drawn: what exists so far, so each action stays valid."""

    def __init__(self, draw: Any) -> None:
        self.draw, self.log = draw, Log()
        self.vouchers: dict[str, str] = {}
        self.assets: dict[str, str] = {}
        self.leases: dict[str, dict[str, Any]] = {}
        self.findings: list[str] = []
        self.members: dict[str, int] = {}
        self.distributions: list[str] = []

    def day(self) -> str:
        return self.draw(days)

    def recorded(self, on: str) -> str | None:
        return self.draw(st.sampled_from([None, None, None, (date.fromisoformat(on) + timedelta(days=40)).isoformat()]))

    def voucher(self, n: int) -> None:
        lines: list[tuple[str, str, int]] = []
        for _ in range(self.draw(st.integers(1, 3))):
            amount = self.draw(amounts)
            lines += [(self.draw(st.sampled_from(ACCOUNTS)), "debit", amount),
                      (self.draw(st.sampled_from(ACCOUNTS)), "credit", amount)]
        on = self.day()
        self.log.voucher(f"V{n}", on, *lines, recorded=self.recorded(on))
        self.vouchers[f"V{n}"] = on

    def reversal(self, n: int) -> None:
        if self.vouchers:
            cited = self.draw(st.sampled_from(sorted(self.vouchers)))
            on = max(self.vouchers.pop(cited), self.day())
            self.log.reverse(f"R{n}", on, cited)

    def asset(self, n: int) -> None:
        category = self.draw(st.sampled_from(["fixed_asset", "resource", "fund"]))
        self.log.asset(f"A{n}", self.day(), category, self.draw(amounts), self.draw(amounts))
        self.assets[f"A{n}"] = category

    def revalue(self, n: int) -> None:
        if self.assets:
            data = {"appraised_value": self.draw(amounts), "reason": "评估"}
            if self.draw(st.booleans()):
                data["book_value"] = self.draw(amounts)
            self.log.add("AssetRevalued", self.draw(st.sampled_from(sorted(self.assets))), self.day(), data)

    def transfer(self, n: int) -> None:
        if self.assets:
            self.log.add("AssetTransferred", self.draw(st.sampled_from(sorted(self.assets))), self.day(),
                         {"custodian": f"C{n}", "reason": "调拨"})

    def dispose(self, n: int) -> None:
        if self.assets:
            asset_id = self.draw(st.sampled_from(sorted(self.assets)))
            del self.assets[asset_id]
            self.log.add("AssetDisposed", asset_id, self.day(), {"method": "sale", "proceeds": self.draw(amounts),
                                                                 "reason": "出售"})

    def lease(self, n: int) -> None:
        leasable = sorted(a for a, c in self.assets.items() if c != "fund")
        if leasable:
            start, length = self.day(), self.draw(st.integers(0, 800))
            end = (date.fromisoformat(start) + timedelta(days=length)).isoformat()
            period = self.draw(st.sampled_from(["monthly", "quarterly", "yearly"]))
            self.log.lease(f"L{n}", day_before(start), self.draw(st.sampled_from(leasable)), start, end,
                           self.draw(amounts), period)
            self.leases[f"L{n}"] = {"start": start, "end": end, "invoiced": 0, "received": 0}

    def invoice(self, n: int) -> None:
        if self.leases:
            lease_id = self.draw(st.sampled_from(sorted(self.leases)))
            lease, amount = self.leases[lease_id], self.draw(amounts)
            due = self.draw(st.sampled_from([None, lease["end"]]))
            self.log.invoice(lease_id, self.day(), amount, lease["start"], lease["end"], due=due)
            lease["invoiced"] += amount
            if self.draw(st.booleans()):
                self.receive(n)

    def receive(self, n: int) -> None:
        owing = sorted(i for i, lease in self.leases.items() if lease["invoiced"] > lease["received"])
        if owing:
            lease = self.leases[lease_id := self.draw(st.sampled_from(owing))]
            amount = self.draw(st.integers(1, lease["invoiced"] - lease["received"]))
            self.log.receive(lease_id, self.day(), amount)
            lease["received"] += amount

    def terminate(self, n: int) -> None:
        if self.leases:
            lease_id = self.draw(st.sampled_from(sorted(self.leases)))
            lease = self.leases.pop(lease_id)
            self.log.add("LeaseTerminated", lease_id, self.day(), {"reason": "other", "last_day": lease["start"]})

    def amend(self, n: int) -> None:
        if self.leases:
            lease_id = self.draw(st.sampled_from(sorted(self.leases)))
            lease = self.leases[lease_id]
            change = self.draw(st.sampled_from([{"deposit": 100}, {"end": lease["end"]},
                                                {"rent": {"amount": 500_000, "period": "monthly"}}]))
            data = {"applies_from": lease["start"], "reason": "r", **change}
            self.log.add("LeaseAmended", lease_id, self.day(), data)

    def renew(self, n: int) -> None:
        if self.leases:
            lease = self.leases[lease_id := self.draw(st.sampled_from(sorted(self.leases)))]
            extra = timedelta(days=self.draw(st.integers(1, 400)))
            lease["end"] = (date.fromisoformat(lease["end"]) + extra).isoformat()
            self.log.add("LeaseRenewed", lease_id, self.day(), {"end": lease["end"]})

    def tender(self, n: int) -> None:
        self.log.add("TenderAwarded", f"T{n}", self.day(), {"project": "p", "contractor": "c",
                                                            "amount": self.draw(st.integers(1, 6_000_000))})

    def declare(self, n: int) -> None:
        reserve, members = self.draw(amounts), self.draw(amounts)
        self.log.add("DistributionDeclared", f"D{n}", self.day(), {
            "resolution_id": "R", "fiscal_year": 2024, "distributable": reserve + members, "reserve_fund": reserve,
            "member_distribution": members, "rate_per_share": self.draw(amounts)})
        self.distributions.append(f"D{n}")

    def member(self, n: int) -> None:
        shares = self.draw(st.integers(1, 20))
        self.log.add("MemberQualified", f"M{n}", self.day(), {"name": f"成员{n}", "household": f"H{n % 3}"})
        self.log.add("SharesAllotted", f"M{n}", self.day(), {"shares": shares, "share_class": "人口股"})
        self.members[f"M{n}"] = shares

    def shares(self, n: int) -> None:
        holders = sorted(m for m, held in self.members.items() if held)
        if len(self.members) > 1 and holders:
            giver = self.draw(st.sampled_from(holders))
            to = self.draw(st.sampled_from(sorted(set(self.members) - {giver})))
            moved = self.draw(st.integers(1, self.members[giver]))
            self.log.add("SharesTransferred", giver, self.day(), {"to_member_id": to, "shares": moved,
                                                                 "reason": "within_household"})
            self.members[giver] -= moved
            self.members[to] += moved

    def pay(self, n: int) -> None:
        if self.distributions and self.members:
            self.log.add("DividendPaid", f"P{n}", self.day(), {
                "distribution_id": self.draw(st.sampled_from(self.distributions)),
                "member_id": self.draw(st.sampled_from(sorted(self.members))), "amount": self.draw(amounts)})

    def rename(self, n: int) -> None:
        if self.members:
            self.log.add("MemberRecordCorrected", self.draw(st.sampled_from(sorted(self.members))), self.day(),
                         {"name": f"更正{n}", "reason": "r"})

    def finding(self, n: int) -> None:
        self.log.add("FindingRecorded", f"F{n}", self.day(), {"period": "2024", "title": "t", "detail": "d"})
        self.findings.append(f"F{n}")

    def rectify(self, n: int) -> None:
        if self.findings:
            self.log.add("FindingRectified", self.findings.pop(0), self.day(), {"rectification": "r"})


@st.composite
def ledgers(draw: Any) -> Log:
    ledger = Draw(draw)
    ledger.log.org()
    opening = ["asset"] * draw(st.integers(0, 4)) + ["lease"] * draw(st.integers(0, 3))
    actions = opening + draw(st.lists(st.sampled_from(ACTIONS), min_size=8, max_size=40))
    for n, action in enumerate(actions):
        getattr(ledger, action)(n)
    return ledger.log


periods = st.one_of(
    st.builds(lambda y, m: Period(y, "month", m), st.sampled_from([2024, 2025]), st.integers(1, 12)),
    st.builds(lambda y, q: Period(y, "quarter", q), st.sampled_from([2024, 2025]), st.integers(1, 4)),
    st.builds(lambda y: Period(y, "year"), st.sampled_from([2024, 2025])),
)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rendered(log: Log, period: Period, upto: int | None = None) -> dict[str, Any]:
    return render(VIEW_OF_KIND[period.kind], ORG, period, log.facts(upto))


@fast
@given(ledgers(), periods)
def test_every_view_is_canonical_json_ready_and_the_same_bytes_twice(log: Log, period: Period) -> None:
    first = rendered(log, period)
    assert json_kinds(first) == []
    assert canonical(first) == canonical(rendered(log, period))


@fast
@given(ledgers(), periods, st.integers(0, 60))
def test_a_view_known_at_a_position_is_the_view_of_the_log_prefix(log: Log, period: Period, upto: int) -> None:
    prefix = facts_of_records([r for r in log.records if r.position <= upto])
    from_prefix = render(VIEW_OF_KIND[period.kind], ORG, period, prefix)
    assert canonical(rendered(log, period, upto)) == canonical(from_prefix)


@fast
@given(ledgers(), st.builds(lambda y, m: Period(y, "month", m), st.sampled_from([2024, 2025]), st.integers(1, 12)))
def test_trial_balance_debits_equal_credits_opening_period_and_closing(log: Log, period: Period) -> None:
    got = rendered(log, period)
    totals = got["trial_balance"]["totals"]
    assert totals["opening_debit_fen"] == totals["opening_credit_fen"]
    assert totals["debit_fen"] == totals["credit_fen"]
    assert totals["closing_debit_fen"] == totals["closing_credit_fen"]
    assert got["trial_balance"]["balanced"] is True
    closing = {r["account"]: r["closing_debit_fen"] - r["closing_credit_fen"] for r in got["trial_balance"]["accounts"]}
    for journal in got["cash_journal"]:
        assert journal["closing_fen"] == closing.get(journal["account"], 0)


@fast
@given(ledgers(), st.sampled_from([2024, 2025]))
def test_balance_sheet_balances_and_asset_roll_forward_closes(log: Log, year: int) -> None:
    period = Period(year, "year")
    got = rendered(log, period)
    sheet = got["balance_sheet"]
    assert sheet["balanced_opening"] and sheet["balanced_closing"]
    assert sheet["assets"]["closing_fen"] == sheet["liabilities"]["closing_fen"] + sheet["equity"]["closing_fen"]
    facts = log.facts()
    for moment, column in ((f"{year - 1}-12-31", "opening_fen"), (f"{year}-12-31", "closing_fen")):
        held: dict[str, int] = {}
        for state in asset_states(facts, moment).values():
            held[state.category] = held.get(state.category, 0) + state.held_book_value
        for row in got["asset_roll_forward"]["categories"]:
            assert row[column] == held.get(row["category"], 0)
    for row in got["asset_roll_forward"]["categories"]:
        assert row["opening_fen"] + row["additions_fen"] + row["revaluations_fen"] - row["disposals_fen"] == (
            row["closing_fen"])


@fast
@given(ledgers(), st.builds(lambda y, q: Period(y, "quarter", q), st.sampled_from([2024, 2025]), st.integers(1, 4)))
def test_arrears_and_rent_add_up_to_what_was_invoiced_less_received(log: Log, period: Period) -> None:
    got = rendered(log, period)
    end = period.end.isoformat()
    facts = [f for f in log.facts() if f.effective_date <= end]
    signed = {f.entity_id for f in facts if f.kind == "LeaseSigned"}
    invoiced = sum(f.attrs["amount"] for f in facts if f.kind == "RentInvoiced" and f.entity_id in signed)
    received = sum(f.attrs["amount"] for f in facts if f.kind == "RentReceived" and f.entity_id in signed)
    totals = got["arrears"]["totals"]
    assert totals["outstanding_fen"] - totals["unapplied_fen"] == invoiced - received
    assert sum(v for k, v in totals.items() if k.startswith("days_")) == totals["arrears_fen"]
    assert all(a["value_fen"] >= a["threshold_fen"] for a in got["major_matters"]["acts"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.one_of(periods, st.builds(lambda y, m: Period(y, "month", m), st.just(2026), st.integers(1, 3)),
                            st.just(Period(2026, "year"))), st.integers(0, 60))
def test_a_view_of_its_selection_is_the_view_of_all_the_facts(log: Log, period: Period, upto: int) -> None:
    """The read model hands a view only its selection (earlier journal lines as sums): same bytes."""
    view = VIEW_OF_KIND[period.kind]
    facts = log.facts(upto)
    selected = select_facts(view, period, facts)
    assert canonical(render(view, ORG, period, selected)) == canonical(render(view, ORG, period, facts))
    assert select_facts(view, period, selected) == selected  # idempotent: answer() may select a selection
