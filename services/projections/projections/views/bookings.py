"""Events other than vouchers that book lines: the closing (期末结转), depreciation (计提折旧), the
opening entry of an inventory (建账) and the transfer of construction in progress (在建工程转固).

``booked_lines(fact)`` gives (voucher number, lines) for such a fact, None for any other; the
lines are in the stored form of voucher lines (account, side, amount in fen, memo). The views read
them exactly like a voucher's lines (``common.journal``).
"""
from __future__ import annotations

from typing import Any

Line = dict[str, Any]


def _line(account: str, side: str, amount: int, memo: str) -> Line:
    return {"account": account, "side": side, "amount": amount, "memo": memo}


def _closing(attrs: dict[str, Any], entity_id: str) -> tuple[str, list[Line]]:
    memo = str(attrs.get("description") or "期末结转")
    return entity_id, [_line(str(l["account"]), str(l["side"]), int(l["amount"]), str(l.get("memo") or memo))
                       for l in attrs.get("lines") or []]


def _depreciation(attrs: dict[str, Any], entity_id: str) -> tuple[str, list[Line]]:
    amount, memo = int(attrs["amount"]), f"计提折旧 {entity_id}"
    return str(attrs["voucher"]), [_line(str(attrs.get("expense_account") or "511"), "debit", amount, memo),
                                   _line("152", "credit", amount, memo)]


def _opening(attrs: dict[str, Any], entity_id: str) -> tuple[str, list[Line]] | None:
    against = attrs.get("books_against")
    if not against or attrs.get("category") not in ("fixed_asset", "construction"):
        return None
    amount = int(attrs["book_value"])
    if amount == 0:
        return None
    account = "153" if attrs.get("category") == "construction" else "151"
    memo = f"清产核资建账 {entity_id} {attrs.get('name', '')}".rstrip()
    return str(attrs["batch_id"]), [_line(account, "debit", amount, memo), _line(str(against), "credit", amount, memo)]


def _completion(attrs: dict[str, Any], entity_id: str) -> tuple[str, list[Line]]:
    amount, memo = int(attrs["cost"]), f"在建工程转固定资产 {entity_id}"
    return str(attrs["voucher"]), [_line("151", "debit", amount, memo), _line("153", "credit", amount, memo)]


BOOKING_KINDS = {
    "ClosingPosted": _closing,
    "AssetDepreciated": _depreciation,
    "AssetRegistered": _opening,
    "ConstructionCompleted": _completion,
}
"""Fact kind -> its lines; the selection keeps these kinds before a period one by one."""


def booked_lines(fact: Any) -> tuple[str, list[Line]] | None:
    """The (voucher, lines) a fact books, or None."""
    make = BOOKING_KINDS.get(fact.kind)
    return make(fact.attrs, fact.entity_id) if make is not None else None
