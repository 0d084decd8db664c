"""Money: integer fen inside, decimal yuan strings at the edges. Never float.

Only ASCII digits count, and nothing may follow the last one (no "１２.００", "١٢.٠٠" or "12.00\\n").
"""
from __future__ import annotations

import re

_YUAN = re.compile(r"(-)?([0-9]{1,15})(?:\.([0-9]{1,2}))?")


class MoneyFormatError(ValueError):
    """A money amount was not a decimal string in yuan with at most two decimals (ASCII digits, nothing after)."""

    rule = "money-format"


def parse_yuan(text: object) -> int:
    """Parse '50000.00' (yuan) into 5000000 (fen); refuse floats, ints and anything fuzzy."""
    if not isinstance(text, str):
        raise MoneyFormatError(
            f"amounts are decimal strings in yuan with at most two decimals, e.g. \"50000.00\"; "
            f"got {type(text).__name__} {text!r}"
        )
    match = _YUAN.fullmatch(text)
    if match is None:
        raise MoneyFormatError(
            f"amounts are decimal strings in yuan with at most two decimals, e.g. \"50000.00\"; got {text!r}"
        )
    sign, whole, cents = match.groups()
    fen = int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    return -fen if sign else fen


def format_fen(fen: int) -> str:
    """Format 5000000 (fen) as '50000.00' (yuan)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


YUAN = 100
"""Fen in one yuan."""
