"""Amounts as auditors read them: yuan decimal strings ("1500.00") in place of integer fen.

The views compute in integer fen (``*_fen`` keys); under rules v2 the answer is rewritten once,
``amount_fen: 150000`` becoming ``amount: "1500.00"`` (the same form the API takes), so no view
function formats money itself and no float is ever involved.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.money import format_fen

SUFFIX = "_fen"


def yuan_strings(value: Any) -> Any:
    """``value`` with every ``<name>_fen`` key renamed ``<name>`` and its integer written in yuan.

    Containers are lists and dicts (what views are made of); a scalar is returned as it is, without
    a call of its own (a yearly view holds tens of thousands).
    """
    kind = type(value)
    if kind is list:
        return [yuan_strings(item) if type(item) in _CONTAINERS else item for item in value]
    if kind is not dict:
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        of = type(item)
        if key.endswith(SUFFIX):
            name = key[: -len(SUFFIX)]
            if name in value:
                raise ValueError(f"both {key!r} and {name!r} in one row")
            out[name] = format_fen(item) if of is int else yuan_strings(item) if of in _CONTAINERS else item
        else:
            out[key] = yuan_strings(item) if of in _CONTAINERS else item
    return out


_CONTAINERS = (list, dict)
