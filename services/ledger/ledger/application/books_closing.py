"""Closing the books (期末结转): the month-end or year-end closing voucher, computed from the books.

``close_books`` takes the CO's append lock first (``Appender.append(build=...)``), then reads the
balances as of the period end, then posts ``ClosingPosted`` (voucher ``JZ-<period>``, dated the
period's last day): 5xx to 321 本年收益, and at year end 321 to 322 收益分配. Reading the balances
before the lock would let a voucher appended in between escape the closing; under the lock no other
batch of the CO is in flight. Refused with 409 ``period-closing-exists`` when the period has its
closing already, 422 ``closing-period`` for a quarter, ``period-not-ended`` before the period ends.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping, Protocol

from ledger.application.append import Appender
from ledger.application.decide import EventRequest
from ledger.application.ports import DecisionContext
from ledger.domain.closing import closing_lines, closing_voucher_id, refuse_if_closed_already
from ledger.domain.errors import RuleViolation
from ledger.domain.money import format_fen
from ledger.domain.periods import Period


class BookBalances(Protocol):
    """What closing needs of the books (``projections.audit_views.AuditViews``)."""

    def balances(self, org_id: str, day: str) -> tuple[Mapping[str, tuple[int, int]], int]:
        """(debit, credit) totals per account of every posting dated up to ``day``, and the rules version."""


@dataclass(frozen=True)
class ClosedBooks:
    """What the closing posted: the voucher's data and the append receipt."""

    voucher_id: str
    data: dict[str, Any]
    receipt: dict[str, Any]


def close_books(appender: Appender, books: BookBalances, org_id: str, actor: str, period: Period,
                today: date) -> ClosedBooks:
    """Post the closing voucher of a month or year, computed under the CO's lock from its books."""
    if period.kind == "quarter":
        raise RuleViolation("closing-period", f"books are closed by month or by year; got the quarter {period}",
                            period=str(period))
    if today <= period.end:
        raise RuleViolation("period-not-ended", f"{period} ends {period.end}; its books close from the next day, "
                            f"not on {today}", period=str(period), today=today.isoformat())
    voucher_id, made = closing_voucher_id(period), dict[str, Any]()

    def build(context: DecisionContext) -> list[EventRequest]:
        refuse_if_closed_already(context, period)
        balances, rules_version = books.balances(org_id, period.end.isoformat())
        lines = [{**line, "amount": format_fen(line["amount"])}
                 for line in closing_lines(balances, year_end=period.kind == "year")]
        made.update({"period": str(period), "description": f"结转{_label(period)}收支", "lines": lines,
                     "rules_version": rules_version})
        return [EventRequest("ClosingPosted", voucher_id, period.end, dict(made))]

    outcome = appender.append(org_id, actor, [], author="books", build=build)
    return ClosedBooks(voucher_id, made, outcome.body)


def _label(period: Period) -> str:
    return f"{period.year}年" if period.kind == "year" else f"{period.year}年{period.index}月"
