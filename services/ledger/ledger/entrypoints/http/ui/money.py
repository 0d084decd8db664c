"""The one formatting helper for amounts on pages and in workbooks.

Views give amounts as yuan decimal strings ("1500.00"); until every view does, an integer is
read as fen (the views' ``*_fen`` fields) and converted here, and only here.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def to_yuan(value: Any) -> Decimal | None:
    """An amount as Decimal yuan: from a yuan string ("1500.00") or from integer fen (150000); None if none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (Decimal(value) / 100).quantize(CENT)
    if isinstance(value, (str, Decimal)):
        try:
            return Decimal(value).quantize(CENT)
        except InvalidOperation:
            return None
    return None


def yuan(value: Any) -> str:
    """An amount as auditors read it: thousands separated, two decimals ("1,500.00"); "" if none."""
    amount = to_yuan(value)
    return "" if amount is None else f"{amount:,.2f}"


def field(row: dict[str, Any], key: str) -> Any:
    """``row[key]``, or its fen form ``row[key + '_fen']`` while the views still carry one."""
    if key in row:
        return row[key]
    return row.get(f"{key}_fen")
