"""Bookkeeping: double-entry vouchers on the 2023 chart, corrected in red ink (红字).

A reversal (红字冲销) is a voucher of its own (its own number, dated in an open period) citing the
voucher it cancels; under the books' rules v2 its lines are the original's on their own sides with
negative amounts (``red_ink_lines``), so balances and both movement columns read as if the voucher
had never been posted; rules v1 swapped the sides (``reversal_lines``), kept to reproduce closed
views. A voucher is reversed at most once, and a reversal is never itself reversed: post again.

A correcting voucher (红字更正 / 补充登记) cites the voucher it corrects (``corrects``); it alone may
carry negative amounts, and only on an account and side of the voucher it corrects.
"""
from __future__ import annotations

from typing import Any, Sequence, cast

from eventsourcing.domain import event

from ledger.contracts.books import VoucherPosted, VoucherReversed
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.chart import CHART
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.money import format_fen

OTHER_SIDE = {"debit": "credit", "credit": "debit"}


def reversal_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines that cancel ``lines`` as rules v1 booked them: same accounts and amounts, sides swapped."""
    return [{**line, "side": OTHER_SIDE[line["side"]]} for line in lines]


def red_ink_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines that cancel ``lines`` in red ink (红字冲销): same accounts and sides, amounts negated."""
    return [{**line, "amount": -int(line["amount"])} for line in lines]


class Voucher(Entity):
    """A posted voucher: its description (摘要) and balanced lines."""

    KIND = "voucher"

    @event("VoucherPosted")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.description = data["description"]
        self.lines = [dict(line) for line in data["lines"]]
        self.attachments = data.get("attachments", 0)
        self.posted_on = envelope["effective_date"]
        self.reverses: str | None = None
        self.corrects: str | None = data.get("corrects")


class VoucherReversal(Entity):
    """A reversing voucher: cancels the voucher it cites, on its own date."""

    KIND = "voucher"

    @event("VoucherReversed")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.reverses = data["reverses"]
        self.reason = data["reason"]
        self.posted_on = envelope["effective_date"]


def _post(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: VoucherPosted) -> Entity:
    voucher_id = envelope["entity_id"]
    unknown = sorted({line.account for line in p.lines if line.account not in CHART})
    if unknown:
        raise RuleViolation("account-unknown", f"voucher {voucher_id} uses account codes {', '.join(unknown)}, not in "
                            "the 2023 chart (财会〔2023〕14号)", voucher_id=voucher_id, accounts=unknown)
    check_amounts(ctx, voucher_id, p)
    check_balanced(voucher_id, p.lines)
    return Voucher(envelope=envelope, data=p.stored())


def check_balanced(voucher_id: str, lines: Sequence[Any]) -> None:
    """Debits equal credits (rule ``voucher-unbalanced``), red ink counted with its sign."""
    debits = sum(line.amount for line in lines if line.side == "debit")
    credits = sum(line.amount for line in lines if line.side == "credit")
    if debits != credits:
        raise RuleViolation("voucher-unbalanced", f"voucher {voucher_id}: debits {format_fen(debits)} yuan, credits "
                            f"{format_fen(credits)} yuan", voucher_id=voucher_id, debits=format_fen(debits),
                            credits=format_fen(credits))


def check_amounts(ctx: Context, voucher_id: str, p: VoucherPosted) -> None:
    """No zero amount; negative amounts (red ink) only on a voucher correcting another, on its accounts and sides."""
    zero = [i for i, line in enumerate(p.lines) if line.amount == 0]
    if zero:
        raise RuleViolation("voucher-amount-zero", f"voucher {voucher_id}: line {zero[0] + 1} has amount 0.00",
                            voucher_id=voucher_id, lines=[i + 1 for i in zero])
    negative = [line for line in p.lines if line.amount < 0]
    if p.corrects is not None:
        original = ctx.entity(p.corrects)
        if not isinstance(original, Voucher):
            raise RuleViolation("correction-of-voucher", f"voucher {voucher_id} corrects {p.corrects}, which is not "
                                "a posted voucher (a reversal is corrected by posting again)",
                                voucher_id=voucher_id, corrects=p.corrects)
        if ctx.effective_date < original.posted_on:
            raise RuleViolation("correction-before-voucher", f"voucher {voucher_id} dated {ctx.effective_date} "
                                f"precedes voucher {p.corrects} of {original.posted_on}, which it corrects",
                                voucher_id=voucher_id, corrects=p.corrects, posted_on=original.posted_on)
        cited = {(line["account"], line["side"]) for line in original.lines}
        strays = sorted({f"{line.account} {line.side}" for line in negative if (line.account, line.side) not in cited})
        if strays:
            raise RuleViolation("red-ink-account", f"voucher {voucher_id}: red ink on {', '.join(strays)}, which "
                                f"voucher {p.corrects} does not carry", voucher_id=voucher_id,
                                corrects=p.corrects, lines=strays)
    elif negative:
        raise RuleViolation("voucher-negative-amount", f"voucher {voucher_id}: {format_fen(negative[0].amount)} yuan on "
                            f"{negative[0].account}; negative amounts (red ink) only on a voucher that cites the one "
                            "it corrects (corrects)", voucher_id=voucher_id, account=negative[0].account,
                            amount=format_fen(negative[0].amount))


def _reverse(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: VoucherReversed) -> Entity:
    reversal_id = envelope["entity_id"]
    original = ctx.entity(p.reverses)
    if isinstance(original, VoucherReversal):
        raise RuleViolation("voucher-is-reversal", f"{p.reverses} is itself a reversal (of {original.reverses}); "
                            "post a new voucher instead", voucher_id=p.reverses)
    original = cast(Voucher, original)
    earlier = [v.entity_id for v in ctx.citing(p.reverses, "voucher") if getattr(v, "reverses", None) == p.reverses]
    if earlier:
        raise RuleViolation("voucher-already-reversed", f"voucher {p.reverses} was already reversed by {earlier[0]}",
                            voucher_id=p.reverses, reversed_by=earlier[0])
    if envelope["effective_date"] < original.posted_on:
        raise RuleViolation("reversal-before-voucher", f"reversal {reversal_id} dated {envelope['effective_date']} "
                            f"precedes voucher {p.reverses} of {original.posted_on}", voucher_id=p.reverses)
    return VoucherReversal(envelope=envelope, data=p.stored())


register(EventType("VoucherPosted", Voucher, VoucherPosted, _post, creates=True,
                   references={"corrects": "voucher"},
                   description="A balanced voucher on the accounts of the 2023 chart; red ink only when it corrects "
                               "another."))
register(EventType("VoucherReversed", VoucherReversal, VoucherReversed, _reverse, creates=True,
                   references={"reverses": "voucher"},
                   description="A reversing voucher cancels a posted voucher; the only way to correct one."))
