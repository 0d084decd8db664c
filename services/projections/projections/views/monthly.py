"""The monthly regular audit (月度定期审计): trial balance, income and expense detail, vouchers,
cash and bank journal, and the month's exceptions."""
from __future__ import annotations

from typing import Sequence

from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.bookings import BOOKING_KINDS, booked_lines
from projections.views.layouts import balance_sheet_2023
from projections.views.reconcile import reconciliations
from projections.views.rules import LEGACY, RULES, Rules
from projections.views.common import (
    Posting,
    Row,
    account_of,
    balance,
    day_before,
    flag_rows,
    header,
    journal,
    trial_balance,
    turnover,
    within,
)

CASH_ACCOUNTS = ("101", "102")
"""库存现金 and 银行存款: the cash journal and the bank journal."""


def render_monthly(org: Row, period: Period, facts: Sequence[Fact], rules: Rules = RULES[LEGACY]) -> Row:
    """The monthly view of ``period`` from the CO's facts (log order, effective by the period end).

    Under rules v2 reversals are in red ink and the monthly balance sheet (资产负债表 月报) is added.
    """
    start, end = period.start.isoformat(), period.end.isoformat()
    postings = journal(facts, rules.red_ink)
    view = {
        **header("monthly", org, period),
        "trial_balance": trial_balance(postings, start, end),
        "income_expense": income_expense(postings, start, end),
        "vouchers": vouchers(facts, postings, start, end),
        "cash_journal": [cash_journal(postings, code, start, end) for code in CASH_ACCOUNTS],
        "exceptions": exceptions(facts, postings, start, end),
    }
    if rules.books_2023:
        view["balance_sheet"] = balance_sheet_2023(postings, f"{period.year:04d}-01-01", end)
        view["reconciliations"] = reconciliations(facts, postings, start, end, year_end=False)
    return view


def income_expense(postings: Sequence[Posting], start: str, end: str) -> Row:
    """The income and expense detail (收支明细表): every 5xx line of the month, subtotals by account, totals."""
    lines: list[Row] = []
    in_month = [p for p in postings if within(p.date, start, end)]
    for p in sorted(in_month, key=lambda p: (p.account, p.date, p.position, p.seq)):
        acct = account_of(p.account)
        if acct.section in ("income", "expense"):
            lines.append({"account": p.account, "name_zh": acct.name_zh, "section": acct.section, "date": p.date,
                          "voucher": p.voucher, "memo": p.memo, "debit_fen": p.debit, "credit_fen": p.credit,
                          "amount_fen": balance(acct, p.debit, p.credit)})
    subtotals: dict[str, Row] = {}
    for line in lines:
        row = subtotals.setdefault(line["account"], {key: line[key] for key in ("account", "name_zh", "section")}
                                   | {"amount_fen": 0})
        row["amount_fen"] += line["amount_fen"]
    by_account = [subtotals[code] for code in sorted(subtotals)]
    income = sum(r["amount_fen"] for r in by_account if r["section"] == "income")
    expense = sum(r["amount_fen"] for r in by_account if r["section"] == "expense")
    return {"lines": lines, "by_account": by_account,
            "totals": {"income_fen": income, "expense_fen": expense, "net_fen": income - expense}}


def months_income_expense(facts: Sequence[Fact], year: int, rules: Rules = RULES[LEGACY]) -> list[Row]:
    """Each month's ``income_expense`` totals of ``year`` from the year's facts (its yearly selection or all
    of them) in one pass: the month views' totals, since a month's lines are the postings dated in it."""
    postings = journal(facts, rules.red_ink)
    months = []
    for month in range(1, 13):
        period = Period(year, "month", month)
        months.append({"period": str(period),
                       **income_expense(postings, period.start.isoformat(), period.end.isoformat())["totals"]})
    return months


def vouchers(facts: Sequence[Fact], postings: Sequence[Posting], start: str, end: str) -> list[Row]:
    """The vouchers dated in the month, reversing vouchers included, each with the reversal citing it.

    The facts do not carry a voucher's description (摘要): it reads as the memo of its first line.
    """
    reversed_by = {str(f.attrs.get("reverses")): f.entity_id for f in facts if f.kind == "reversal"}
    reversals = {f.entity_id: f for f in facts if f.kind == "reversal"}
    recorded = {f.entity_id: f.recorded_at for f in facts if f.kind in ("journal", "reversal")}
    for f in facts:  # closings, depreciation, opening entries: the first event booking under the voucher
        booked = booked_lines(f) if f.kind in BOOKING_KINDS else None
        if booked is not None:
            recorded.setdefault(booked[0], f.recorded_at)
    grouped: dict[str, list[Posting]] = {}
    for p in postings:
        if within(p.date, start, end):
            grouped.setdefault(p.voucher, []).append(p)
    rows = []
    for voucher, lines in grouped.items():
        reversal = reversals.get(voucher)
        rows.append({
            "voucher": voucher, "date": lines[0].date, "position": lines[0].position,
            "recorded_at": recorded[voucher],
            "description": str(reversal.attrs.get("reason", "")) if reversal else lines[0].memo,
            "reverses": lines[0].reverses, "reversed_by": reversed_by.get(voucher),
            "lines": [{"account": p.account, "name_zh": account_of(p.account).name_zh,
                       "side": "debit" if p.debit else "credit", "amount_fen": p.debit or p.credit, "memo": p.memo}
                      for p in lines],
            "total_fen": sum(p.debit for p in lines),
        })
    return sorted(rows, key=lambda r: (r["date"], r["position"]))


def cash_journal(postings: Sequence[Posting], code: str, start: str, end: str) -> Row:
    """The journal of one cash or bank account (日记账): opening balance, the month's lines with running balance."""
    acct = account_of(code)
    debit, credit = turnover(postings, None, day_before(start)).get(code, (0, 0))
    running = opening = balance(acct, debit, credit)
    lines = [p for p in postings if p.account == code and within(p.date, start, end)]
    entries: list[Row] = []
    for p in sorted(lines, key=lambda p: (p.date, p.position, p.seq)):
        running += balance(acct, p.debit, p.credit)
        entries.append({"date": p.date, "voucher": p.voucher, "memo": p.memo, "debit_fen": p.debit,
                        "credit_fen": p.credit, "balance_fen": running})
    return {"account": code, "name_zh": acct.name_zh, "opening_fen": opening, "entries": entries,
            "debit_fen": sum(e["debit_fen"] for e in entries), "credit_fen": sum(e["credit_fen"] for e in entries),
            "closing_fen": running}


def exceptions(facts: Sequence[Fact], postings: Sequence[Posting], start: str, end: str) -> Row:
    """The month's exceptions: flags, entries recorded after the month end, reversals."""
    return {"flags": flag_rows(facts, start, end), "late_entries": late_entries(facts, start, end),
            "reversals": reversal_rows(facts, postings, start, end)}


def late_entries(facts: Sequence[Fact], start: str, end: str) -> list[Row]:
    """Events effective in the month but recorded after its end (recorded date, UTC, after the period end)."""
    seen: dict[int, Row] = {}
    for f in facts:
        if f.kind != "flag" and within(f.effective_date, start, end) and f.recorded_at[:10] > end:
            seen.setdefault(f.position, {"position": f.position, "type": f.type, "entity_id": f.entity_id,
                                         "date": f.effective_date, "recorded_at": f.recorded_at})
    return [seen[position] for position in sorted(seen)]


def reversal_rows(facts: Sequence[Fact], postings: Sequence[Posting], start: str, end: str) -> list[Row]:
    """The reversing vouchers dated in the month, with the voucher each cancels and its date and amount."""
    posted_on = {p.voucher: p.date for p in postings if p.reverses is None}
    amounts: dict[str, int] = {}
    for p in postings:
        if p.reverses is not None:
            amounts[p.voucher] = amounts.get(p.voucher, 0) + p.debit
    rows = []
    for f in facts:
        if f.kind == "reversal" and within(f.effective_date, start, end):
            cited = str(f.attrs.get("reverses"))
            amount = amounts.get(f.entity_id, 0)
            rows.append({"voucher": f.entity_id, "date": f.effective_date, "position": f.position,
                         "reverses": cited, "reversed_voucher_date": posted_on.get(cited),
                         "reason": f.attrs.get("reason"), "amount_fen": amount, "adjusts": f.attrs.get("adjusts")})
    return sorted(rows, key=lambda r: (r["date"], r["position"]))
