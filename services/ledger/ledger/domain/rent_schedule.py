"""Rent arithmetic: terms in months, rent periods, the total value of a lease. Pure, integer fen.

A rent schedule is a list of segments ``{"from": ISO date, "amount": fen, "period": ...}``; each
segment runs until the day before the next one starts, the last one until the lease's end. A
started period is a whole period (a 13-month term with yearly rent is two years of rent).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
PERIOD_NAMES = {"monthly": "a month", "quarterly": "a quarter", "yearly": "a year"}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def term_months(start: date, end: date) -> int:
    """Months from ``start`` to ``end`` inclusive, a started month counting whole: 2025-01-01..2027-12-31 is 36."""
    if end < start:
        return 0
    months = max(0, (end.year - start.year) * 12 + end.month - start.month - 1)
    while add_months(start, months) <= end:
        months += 1
    return months


def periods_in(start: date, end: date, period: str) -> int:
    """Rent periods in ``start..end`` (inclusive), a started period counting whole."""
    size = PERIOD_MONTHS[period]
    return -(-term_months(start, end) // size)


def schedule_value(schedule: list[dict[str, Any]], end: date) -> int:
    """Total rent of a schedule up to ``end``: the lease's total contract value, in fen."""
    total = 0
    for i, segment in enumerate(schedule):
        seg_start = date.fromisoformat(segment["from"])
        seg_end = date.fromisoformat(schedule[i + 1]["from"]) - timedelta(days=1) if i + 1 < len(schedule) else end
        total += segment["amount"] * periods_in(seg_start, min(seg_end, end), segment["period"])
    return total


def below_annual(amount_fen: int, period: str, annual_fen: int) -> bool:
    """Whether ``amount_fen`` per ``period`` comes to less than ``annual_fen`` a year (exact, no rounding)."""
    return amount_fen * 12 < annual_fen * PERIOD_MONTHS[period]


def annual(amount_fen: int, period: str) -> int:
    """The yearly equivalent of a rent, in fen (rounded down)."""
    return amount_fen * 12 // PERIOD_MONTHS[period]


class LeaseTerms:
    """What a lease's terms answer; used by the Lease entity and the audit views' lease state alike.

    The class using it has ``start``, ``end`` (ISO dates), ``terminated_on`` (ISO date or None) and
    ``schedule`` (the rent schedule entries).
    """

    @property
    def ends_on(self) -> str:
        """The lease's last day: the day it was terminated, else the end of its term."""
        return self.terminated_on or self.end  # type: ignore[attr-defined,no-any-return]

    def active_on(self, day: str) -> bool:
        return self.start <= day <= self.ends_on  # type: ignore[attr-defined,no-any-return]

    def contract_value(self) -> int:
        """Total rent over the term (合同总价), in fen."""
        return schedule_value(self.schedule, date.fromisoformat(self.end))  # type: ignore[attr-defined]
