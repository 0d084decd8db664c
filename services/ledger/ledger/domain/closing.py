"""Closing (期末结转): the month-end or year-end voucher that carries income and expense to 321
本年收益 and, at year end, 321 to 322 收益分配 (未分配收益).

``closing_lines`` computes it from the balances as of the period end; the closing command
(``application.books_closing``) posts it as ``ClosingPosted`` under the CO's append lock, with the
voucher number ``JZ-<period>``, dated the period's last day. Its lines are checked here again.
"""
from __future__ import annotations

from typing import Any, Mapping

from eventsourcing.domain import event

from ledger.contracts.books import ClosingPosted
from ledger.domain.books import check_balanced
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.chart import CHART
from ledger.domain.entity import Entity
from ledger.domain.errors import Conflict, RuleViolation
from ledger.domain.periods import Period

RESULT = "321"
DISTRIBUTION = "322"
CLOSING_PREFIX = "JZ-"


def closing_voucher_id(period: Period) -> str:
    """The closing voucher's number: JZ-2024-03 for a month, JZ-2024 for a year."""
    return f"{CLOSING_PREFIX}{period}"


def result_accounts() -> list[str]:
    """The income and expense accounts (5xx) in code order."""
    return [code for code, acct in CHART.items() if acct.section in ("income", "expense")]


def closing_lines(balances: Mapping[str, tuple[int, int]], year_end: bool) -> list[dict[str, Any]]:
    """The closing lines for (debit, credit) totals per account as of the period end.

    Each 5xx account with a balance is zeroed against 321; at year end 321 (after that transfer)
    is zeroed against 322. Amounts are positive fen; the sides say which way each moves.
    """
    lines: list[dict[str, Any]] = []
    to_result = 0
    for code in result_accounts():
        debit, credit = balances.get(code, (0, 0))
        net = debit - credit
        if net:
            lines.append({"account": code, "side": "credit" if net > 0 else "debit", "amount": abs(net)})
            to_result -= net
    if to_result:
        lines.append({"account": RESULT, "side": "credit" if to_result > 0 else "debit", "amount": abs(to_result)})
    if year_end:
        debit, credit = balances.get(RESULT, (0, 0))
        result = credit - debit + to_result
        if result:
            lines.append({"account": RESULT, "side": "debit" if result > 0 else "credit", "amount": abs(result)})
            lines.append({"account": DISTRIBUTION, "side": "credit" if result > 0 else "debit",
                          "amount": abs(result)})
    return lines


class Closing(Entity):
    """A posted closing voucher (结转凭证)."""

    KIND = "voucher"

    @event("ClosingPosted")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.period = data["period"]
        self.lines = [dict(line) for line in data["lines"]]
        self.posted_on = envelope["effective_date"]
        self.reverses: str | None = None


def _post(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: ClosingPosted) -> Entity:
    period, voucher_id = Period.parse(p.period), envelope["entity_id"]
    if voucher_id != closing_voucher_id(period) or envelope["effective_date"] != period.end.isoformat():
        raise RuleViolation("closing-voucher", f"the closing of {period} is voucher {closing_voucher_id(period)} "
                            f"dated {period.end}; got {voucher_id} dated {envelope['effective_date']}",
                            period=p.period, voucher_id=voucher_id)
    allowed = set(result_accounts()) | {RESULT, DISTRIBUTION}
    strays = sorted({line.account for line in p.lines if line.account not in allowed})
    if strays or any(line.amount <= 0 for line in p.lines):
        raise RuleViolation("closing-accounts", f"a closing moves positive amounts between 5xx, 321 and 322 only; "
                            f"got {', '.join(strays) or 'an amount not above zero'}", period=p.period, accounts=strays)
    check_balanced(voucher_id, p.lines)
    return Closing(envelope=envelope, data=p.stored())


def refuse_if_closed_already(ctx: Context, period: Period) -> None:
    """409 ``period-closing-exists`` when the period's closing voucher is already posted."""
    existing = ctx.entity(closing_voucher_id(period))
    if existing is not None:
        raise Conflict("period-closing-exists", f"{period} already has its closing voucher "
                       f"{closing_voucher_id(period)}", period=str(period), voucher_id=closing_voucher_id(period))


register(EventType("ClosingPosted", Closing, ClosingPosted, _post, creates=True, author="books",
                   description="The closing voucher of a month or year (期末结转), computed from the books by the "
                               "closing command: 5xx to 321, at year end 321 to 322."))
