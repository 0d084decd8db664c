"""Canonical bytes: the one serialisation that is hashed, exported and verified."""
from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no insignificant white space, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def canonical_sha256(value: Any) -> str:
    """The hex SHA-256 of ``canonical_json(value)``: the hash every view answer and request carries."""
    return hashlib.sha256(canonical_json(value)).hexdigest()
