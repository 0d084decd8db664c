"""Shared helpers of the audit views: the journal with reversals applied, balances, ratios, flags.

Pure functions over facts (see ``projections.facts``): dates are ISO strings compared as
strings, money is integer fen, and every ratio is a fixed-decimal string computed with integers.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, NamedTuple, Sequence

from ledger.domain.books import red_ink_lines, reversal_lines
from ledger.domain.chart import CHART, Account
from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.bookings import booked_lines

Row = dict[str, Any]


class Posting(NamedTuple):
    """One journal line as the views read it: a voucher line, or a line of a reversing voucher."""

    date: str
    position: int
    seq: int
    voucher: str
    account: str
    debit: int
    credit: int
    memo: str
    reverses: str | None = None
    """On the lines of a reversing voucher: the voucher it cancels."""


def account_of(code: str) -> Account:
    """The chart's account; a code outside the chart (refused by the ledger) reads as a debit asset."""
    return CHART.get(code) or Account(code, code, code, "asset", "debit")


def journal(facts: Iterable[Fact], red_ink: bool = False) -> list[Posting]:
    """Every posting of the facts in log order.

    A voucher contributes its lines at its date; a reversal contributes the lines of the voucher
    it cites at its own date: in red ink (same sides, negative amounts, ``books.red_ink_lines``)
    under rules v2, with sides swapped (``books.reversal_lines``) under v1. The cited voucher is
    always earlier in the log and not later in date, so it is among the same facts. Events that
    book lines of their own (a closing, depreciation, an opening entry: ``bookings.lines_of``)
    contribute them at their date.
    """
    cancel = red_ink_lines if red_ink else reversal_lines
    lines_of: dict[str, list[Row]] = {}
    postings: list[Posting] = []
    for fact in facts:
        if fact.kind == "journal":
            memo = str(fact.attrs.get("memo") or "")
            side = "debit" if fact.debit else "credit"
            lines_of.setdefault(fact.entity_id, []).append(
                {"account": fact.account, "side": side, "amount": fact.debit or fact.credit, "memo": memo})
            postings.append(Posting(fact.effective_date, fact.position, fact.seq, fact.entity_id, fact.account,
                                    fact.debit, fact.credit, memo))
        elif fact.kind == "reversal":
            cited = str(fact.attrs.get("reverses", ""))
            for seq, line in enumerate(cancel(lines_of.get(cited, []))):
                debit = line["amount"] if line["side"] == "debit" else 0
                postings.append(Posting(fact.effective_date, fact.position, seq, fact.entity_id, line["account"],
                                        debit, line["amount"] - debit, line["memo"], reverses=cited))
        else:
            booked = booked_lines(fact)
            if booked is not None:
                voucher, lines = booked
                postings.extend(Posting(fact.effective_date, fact.position, seq, voucher, line["account"],
                                        line["amount"] if line["side"] == "debit" else 0,
                                        line["amount"] if line["side"] == "credit" else 0, line["memo"])
                                for seq, line in enumerate(lines))
    return postings


def turnover(postings: Iterable[Posting], first: str | None, last: str) -> dict[str, tuple[int, int]]:
    """Debits and credits per account of the postings dated ``first..last`` (from the start when None)."""
    sums: dict[str, tuple[int, int]] = {}
    for p in postings:
        if p.date <= last and (first is None or first <= p.date):
            debit, credit = sums.get(p.account, (0, 0))
            sums[p.account] = (debit + p.debit, credit + p.credit)
    return sums


def side_columns(account: Account, debit: int, credit: int) -> tuple[int, int]:
    """A balance as (debit column, credit column): on the account's normal side, on the other when negative."""
    net = debit - credit
    if account.normal_side == "debit":
        return (net, 0) if net >= 0 else (0, -net)
    return (0, -net) if net <= 0 else (net, 0)


def balance(account: Account, debit: int, credit: int) -> int:
    """The balance on the account's normal side (negative when it stands on the other side)."""
    return account.signed("debit", debit) + account.signed("credit", credit)


_TB_COLUMNS = ("opening_debit_fen", "opening_credit_fen", "debit_fen", "credit_fen",
               "closing_debit_fen", "closing_credit_fen")


def trial_balance(postings: Sequence[Posting], start: str, end: str) -> Row:
    """The trial balance (科目余额表) of ``start..end``: every account with activity or a balance, and totals."""
    opening = turnover(postings, None, day_before(start))
    moved = turnover(postings, start, end)
    rows: list[Row] = []
    for code in sorted(set(opening) | set(moved)):
        acct = account_of(code)
        o_debit, o_credit = opening.get(code, (0, 0))
        debit, credit = moved.get(code, (0, 0))
        opening_cols = side_columns(acct, o_debit, o_credit)
        closing_cols = side_columns(acct, o_debit + debit, o_credit + credit)
        if not any((*opening_cols, debit, credit, *closing_cols)):
            continue
        rows.append({**account_row(acct), **dict(zip(_TB_COLUMNS, (*opening_cols, debit, credit, *closing_cols)))})
    totals = {column: sum(row[column] for row in rows) for column in _TB_COLUMNS}
    balanced = all(totals[f"{p}debit_fen"] == totals[f"{p}credit_fen"] for p in ("opening_", "", "closing_"))
    return {"accounts": rows, "totals": totals, "balanced": balanced}


def account_row(acct: Account) -> Row:
    """The columns naming an account in every table of the views."""
    return {"account": acct.code, "name_zh": acct.name_zh, "name_en": acct.name_en, "section": acct.section,
            "normal_side": acct.normal_side}


def fixed_ratio(numerator: int, denominator: int, places: int = 4) -> str | None:
    """``numerator / denominator`` as a decimal string, rounded half away from zero; None when dividing by 0.

    fixed_ratio(7, 8) == "0.8750"; fixed_ratio(-1, 3) == "-0.3333". Integer arithmetic only.
    """
    if denominator == 0:
        return None
    scale = 10 ** places
    n, d = abs(numerator), abs(denominator)
    scaled = (2 * n * scale + d) // (2 * d)
    whole, fraction = divmod(scaled, scale)
    sign = "-" if scaled and (numerator < 0) != (denominator < 0) else ""
    return f"{sign}{whole}.{fraction:0{places}d}"


def day_before(iso_day: str) -> str:
    return (date.fromisoformat(iso_day) - timedelta(days=1)).isoformat()


def add_days(iso_day: str, days: int) -> str:
    return (date.fromisoformat(iso_day) + timedelta(days=days)).isoformat()


def days_between(first: str, last: str) -> int:
    """Days from ``first`` to ``last`` (negative when ``last`` is earlier)."""
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def within(day: str, first: str, last: str) -> bool:
    return first <= day <= last


def header(view: str, org: Row, period: Period) -> Row:
    """The fields every view starts with."""
    return {"view": view, "org_id": org.get("org_id"), "org_name": org.get("name"), "period": str(period),
            "period_start": period.start.isoformat(), "as_of": period.end.isoformat()}


def flag_rows(facts: Iterable[Fact], first: str, last: str, rule_prefix: str = "") -> list[Row]:
    """The flags the ledger stamped on events effective ``first..last`` (rules starting with ``rule_prefix``)."""
    rows = [
        {"date": f.effective_date, "position": f.position, "type": f.type, "entity_id": f.entity_id,
         "rule": f.attrs.get("rule"), "detail": f.attrs.get("detail"), "values": f.attrs.get("values") or {}}
        for f in facts
        if f.kind == "flag" and within(f.effective_date, first, last)
        and str(f.attrs.get("rule", "")).startswith(rule_prefix)
    ]
    return sorted(rows, key=lambda r: (r["date"], r["position"], r["rule"] or ""))


FINDING_KINDS = ("FindingRecorded", "FindingRectified")
"""Facts about a period whatever their date: a finding concerns the period it names, not the day it was recorded."""


def concerns(named: Any, period: Period) -> bool:
    """Whether the period a finding names ("2024-Q2") is ``period`` or lies inside it."""
    try:
        asked = Period.parse(str(named))
    except ValueError:
        return False
    return period.start <= asked.start and asked.end <= period.end


def by_effective_date(facts: Iterable[Fact]) -> list[Fact]:
    """Facts in effective order: by date, then log order (the order 'as of a date' replays them)."""
    return sorted(facts, key=lambda f: (f.effective_date, f.position, f.seq))
