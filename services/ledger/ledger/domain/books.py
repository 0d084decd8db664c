"""Bookkeeping: double-entry vouchers on the 2023 chart, corrected only by reversal.

A reversal is a voucher of its own (its own number, dated in an open period) citing the voucher
it cancels; its lines are the original's with debit and credit swapped (``reversal_lines``).
A voucher is reversed at most once, and a reversal is never itself reversed: post again instead.
"""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.books import VoucherPosted, VoucherReversed
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.chart import CHART
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.money import format_fen

OTHER_SIDE = {"debit": "credit", "credit": "debit"}


def reversal_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines that cancel ``lines``: same accounts and amounts, sides swapped."""
    return [{**line, "side": OTHER_SIDE[line["side"]]} for line in lines]


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
    debits = sum(line.amount for line in p.lines if line.side == "debit")
    credits = sum(line.amount for line in p.lines if line.side == "credit")
    if debits != credits:
        raise RuleViolation("voucher-unbalanced", f"voucher {voucher_id}: debits {format_fen(debits)} yuan, credits "
                            f"{format_fen(credits)} yuan", voucher_id=voucher_id, debits=format_fen(debits),
                            credits=format_fen(credits))
    return Voucher(envelope=envelope, data=p.stored())


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
                   description="A balanced voucher on the accounts of the 2023 chart."))
register(EventType("VoucherReversed", VoucherReversal, VoucherReversed, _reverse, creates=True,
                   references={"reverses": "voucher"},
                   description="A reversing voucher cancels a posted voucher; the only way to correct one."))
