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
    a call of its own (a yearly view holds tens of thousands), and each key's new name is worked
    out once per process (``_name``).
    """
    kind = type(value)
    if kind is dict:
        return _dict(value)
    if kind is list:
        return _list(value)
    return value


def _list(items: list[Any]) -> list[Any]:
    return [_dict(item) if type(item) is dict else _list(item) if type(item) is list else item for item in items]


def _dict(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _NAMES.get(key, _UNSEEN)
        if name is _UNSEEN:
            name = _name(key)
        of = type(item)
        if name is None:
            out[key] = _dict(item) if of is dict else _list(item) if of is list else item
            continue
        if name in value:
            raise ValueError(f"both {key!r} and {name!r} in one row")
        out[name] = (format_fen(item) if of is int else _dict(item) if of is dict else _list(item) if of is list
                     else item)
    return out


def _name(key: str) -> str | None:
    """``key`` less its ``_fen`` suffix, or None when it has none; remembered (views use a few hundred keys)."""
    name = key[: -len(SUFFIX)] if key.endswith(SUFFIX) else None
    if len(_NAMES) < _NAMES_KEPT:
        _NAMES[key] = name
    return name


_NAMES: dict[str, str | None] = {}
_NAMES_KEPT = 10_000
"""Keys remembered at most (the views' own are a few hundred; attributes copied from events may add more)."""
_UNSEEN = object()
