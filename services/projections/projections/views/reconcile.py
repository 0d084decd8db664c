"""Reconciliations (账账核对, 账实核对) of the books under rules v2, each with its two figures and the difference.

- ``fixed-assets-vs-151``, ``depreciation-vs-152``, ``construction-vs-153``: the asset register (cost of
  the fixed assets held, their depreciation, construction in progress) against the accounts;
- ``receivables-vs-112``: the leases' sub-ledger (rent invoiced less received) against 112 应收款;
- ``dividends-vs-211``: member distributions declared less dividends paid against 211 应付款;
- ``distributions-vs-322`` (year): the appropriations of the plans declared in the year against what
  the year's vouchers debited to 322 收益分配;
- ``cash-negative``, ``bank-negative``: 101 库存现金 or 102 银行存款 below zero at the end of a day of the
  period (the first such day and its balance);
- ``income-not-closed`` (year): 5xx or 321 still holding a balance at the year end.
A check is an exception when its difference is not zero; the view lists every check and the exceptions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from projections.facts import Fact
from projections.views.assets import asset_states
from projections.views.common import Posting, Row, account_of, balance, day_before, turnover
from projections.views.statements import RESULT_ACCOUNTS, closing_vouchers

RECONCILED_KINDS = ("RentInvoiced", "RentReceived", "DistributionDeclared", "DividendPaid", "AssetDepreciated",
                   "ConstructionCompleted")
"""Kinds of facts the checks sum from the start of the books (beside the journal and the asset events)."""

NAMES = {
    "fixed-assets-vs-151": "固定资产台账与固定资产科目核对",
    "depreciation-vs-152": "折旧台账与累计折旧科目核对",
    "construction-vs-153": "在建工程台账与在建工程科目核对",
    "receivables-vs-112": "租金应收台账与应收款科目核对",
    "dividends-vs-211": "应付股利与应付款科目核对",
    "distributions-vs-322": "收益分配方案与收益分配科目核对",
    "cash-negative": "库存现金出现负数",
    "bank-negative": "银行存款出现负数",
    "income-not-closed": "年末收支未结转",
}


@dataclass
class Register:
    """The fixed-asset register as of a day: cost and depreciation of the held fixed assets, construction."""

    rows: list[Row]

    def total(self, category: str, column: str) -> int:
        return sum(r[column] for r in self.rows if r["category"] == category and not r["disposed_on"])


def fixed_asset_register(facts: Sequence[Fact], day: str) -> Register:
    """Each fixed asset and construction by ``day``: cost (book value), depreciation to date, net book value."""
    states = asset_states(facts, day)
    category = {a: s.category for a, s in states.items()}
    cost = {a: s.book_value for a, s in states.items()}
    depreciation: dict[str, int] = {}
    for f in facts:
        if f.effective_date > day or f.entity_id not in states:
            continue
        if f.kind == "ConstructionCompleted":
            category[f.entity_id], cost[f.entity_id] = "fixed_asset", int(f.attrs["cost"])
        elif f.kind == "AssetDepreciated":
            depreciation[f.entity_id] = depreciation.get(f.entity_id, 0) + int(f.attrs["amount"])
    rows = [{"asset_id": a, "name": s.name, "category": category[a], "disposed_on": s.disposed_on,
             "cost_fen": cost[a], "depreciation_fen": depreciation.get(a, 0),
             "net_fen": cost[a] - depreciation.get(a, 0)}
            for a, s in sorted(states.items()) if category[a] in ("fixed_asset", "construction")]
    return Register(rows)


def fixed_asset_roll_forward(facts: Sequence[Fact], first: str, last: str) -> Row:
    """Fixed assets held, per asset: cost, accumulated depreciation and net book value at the start and the end."""
    before, after = fixed_asset_register(facts, day_before(first)), fixed_asset_register(facts, last)
    opening = {r["asset_id"]: r for r in before.rows}
    rows = []
    for r in after.rows:
        o = opening.get(r["asset_id"], {"cost_fen": 0, "depreciation_fen": 0, "net_fen": 0})
        rows.append({"asset_id": r["asset_id"], "name": r["name"], "category": r["category"],
                     "disposed_on": r["disposed_on"], "opening_cost_fen": o["cost_fen"],
                     "opening_depreciation_fen": o["depreciation_fen"], "opening_net_fen": o["net_fen"],
                     "depreciation_fen": r["depreciation_fen"] - o["depreciation_fen"],
                     "closing_cost_fen": r["cost_fen"], "closing_depreciation_fen": r["depreciation_fen"],
                     "closing_net_fen": r["net_fen"]})
    columns = [k for k in rows[0] if k.endswith("_fen")] if rows else []
    return {"title": "固定资产及累计折旧明细", "assets": rows,
            "totals": {c: sum(r[c] for r in rows if not r["disposed_on"]) for c in columns}}


def _check(check: str, books: int, register: int, **more: object) -> Row:
    return {"check": check, "name_zh": NAMES[check], "books_fen": books, "register_fen": register,
            "difference_fen": books - register, **more}


def _balance_at(postings: Sequence[Posting], code: str, day: str) -> int:
    return _balance_in(turnover(postings, None, day), code)


def _balance_in(sums: dict[str, tuple[int, int]], code: str) -> int:
    return balance(account_of(code), *sums.get(code, (0, 0)))


def first_negative(postings: Sequence[Posting], code: str, first: str, last: str) -> tuple[str, int] | None:
    """The first day in ``first..last`` whose closing balance of ``code`` is below zero, and that balance."""
    acct = account_of(code)
    running = _balance_at(postings, code, day_before(first))
    by_day: dict[str, int] = {}
    for p in sorted((p for p in postings if p.account == code and first <= p.date <= last), key=lambda p: p.date):
        by_day[p.date] = by_day.get(p.date, 0) + balance(acct, p.debit, p.credit)
    if running < 0:
        return first, running
    for day in sorted(by_day):
        running += by_day[day]
        if running < 0:
            return day, running
    return None


def _sub_ledger(facts: Iterable[Fact], day: str, plus: str, minus: str, field: str = "amount") -> int:
    total = 0
    for f in facts:
        if f.effective_date <= day and f.kind in (plus, minus):
            amount = int(f.attrs[field])
            total += amount if f.kind == plus else -amount
    return total


def reconciliations(facts: Sequence[Fact], postings: Sequence[Posting], first: str, last: str,
                    year_end: bool) -> Row:
    """Every check of the period ``first..last`` (balances at ``last``) and the exceptions among them."""
    register = fixed_asset_register(facts, last)
    at_last = turnover(postings, None, last)  # one pass for every balance at ``last``
    checks = [
        _check("fixed-assets-vs-151", _balance_in(at_last, "151"), register.total("fixed_asset", "cost_fen")),
        _check("depreciation-vs-152", _balance_in(at_last, "152"),
               register.total("fixed_asset", "depreciation_fen")),
        _check("construction-vs-153", _balance_in(at_last, "153"), register.total("construction", "cost_fen")),
        _check("receivables-vs-112", _balance_in(at_last, "112"),
               _sub_ledger(facts, last, "RentInvoiced", "RentReceived")),
        _check("dividends-vs-211", _balance_in(at_last, "211"), _dividends_payable(facts, last)),
    ]
    for code, check in (("101", "cash-negative"), ("102", "bank-negative")):
        found = first_negative(postings, code, first, last)
        checks.append(_check(check, found[1] if found else 0, 0, first_date=found[0] if found else None))
    if year_end:
        year = f"{last[:4]}-01-01"
        in_year = [p for p in postings if year <= p.date <= last]
        skip = closing_vouchers(in_year, frozenset(f.entity_id for f in facts if f.kind == "ClosingPosted"))
        booked = sum(p.debit - p.credit for p in in_year if p.account == "322" and p.voucher not in skip)
        checks.append(_check("distributions-vs-322", booked, _declared(facts, year, last)))
        unclosed = {code: _balance_in(at_last, code) for code in sorted(RESULT_ACCOUNTS | {"321"})}
        left = {code: amount for code, amount in unclosed.items() if amount}
        checks.append(_check("income-not-closed", sum(abs(a) for a in left.values()), 0,
                             accounts=[{"account": c, "balance_fen": a} for c, a in left.items()]))
    return {"checks": checks, "exceptions": [c["check"] for c in checks if c["difference_fen"] != 0]}


def _dividends_payable(facts: Iterable[Fact], day: str) -> int:
    declared = sum(int(f.attrs["member_distribution"]) for f in facts
                   if f.kind == "DistributionDeclared" and f.effective_date <= day)
    return declared - sum(int(f.attrs["amount"]) for f in facts if f.kind == "DividendPaid" and f.effective_date <= day)


def _declared(facts: Iterable[Fact], first: str, last: str) -> int:
    return sum(int(f.attrs["reserve_fund"]) + int(f.attrs["member_distribution"]) + int(f.attrs.get("other", 0))
               for f in facts if f.kind == "DistributionDeclared" and first <= f.effective_date <= last)
