"""Path and query parameters of the API, each typed and bounded (the id charset and date range of contracts.text)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

from ledger.contracts.base import ascii_int_only
from ledger.contracts.text import DATE_MAX, DATE_MIN, ID_PATTERN, PERIOD_PATTERN

ASCII = BeforeValidator(ascii_int_only)
"""Numbers in queries are ASCII digits only (strict numerals: number-format); bounds come before it (Ge, Le)
so that the spec shows them as minimum and maximum."""
POSITION_MAX = 2**53 - 1
"""The largest log position, leaf index or tree size asked for (an exact number in every JSON client)."""

ORG_ID_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,31}$"
TOKEN_ID_PATTERN = r"^[0-9a-f]{12}$"
KNOWN_AT_PATTERN = r"^(?:[0-9]{1,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2}))$"

OrgIdPath = Annotated[str, Path(pattern=ORG_ID_PATTERN, max_length=32, examples=["TC-001"],
                                description="The CO's id: capitals, digits and -, e.g. TC-001.")]
EntityIdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=64,
                                   description="An entity id: letters, digits and . _ : - (no /), 64 at most.")]
TokenIdPath = Annotated[str, Path(pattern=TOKEN_ID_PATTERN, description="A token's id (12 hex digits).")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2025-03", "2025-Q1", "2025"],
                                 description=f"YYYY-MM, YYYY-Qn or YYYY, with a day in {DATE_MIN}..{DATE_MAX}.")]

After = Annotated[int, Ge(0), Le(POSITION_MAX), ASCII, Query(description="A log position: events after it.")]
Limit = Annotated[int, Ge(1), Le(1000), ASCII, Query(description="Page size, 1..1000.")]
TypeFilter = Annotated[str | None, Query(pattern=r"^[A-Za-z][A-Za-z0-9]{0,63}$", description="An event type.")]
EntityFilter = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64, description="An entity id.")]
LeafIndex = Annotated[int, Ge(0), Le(POSITION_MAX - 1), ASCII,
                      Query(description="The leaf's index in the CO's log, below tree_size "
                                        "(422 leaf-index-within-tree otherwise).")]
TreeSize = Annotated[int | None, Ge(1), Le(POSITION_MAX), ASCII,
                     Query(description="A tree size; default: the latest checkpoint's size.")]
FirstSize = Annotated[int, Ge(1), Le(POSITION_MAX), ASCII, Query(description="The smaller tree size.")]


def _known_at_in_range(value: str | None) -> str | None:
    """A position as is; a time must fall in the ledger's date range once in UTC."""
    if value is None or re.fullmatch(r"[0-9]{1,15}", value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValueError(f"known_at is a position or an ISO time with its zone in {DATE_MIN}..{DATE_MAX}; "
                         f"got {value!r}") from None
    if not DATE_MIN <= moment.date() <= DATE_MAX:
        raise ValueError(f"known_at lies in {DATE_MIN}..{DATE_MAX}; got {value!r}")
    return value


KnownAt = Annotated[
    str | None,
    Query(pattern=KNOWN_AT_PATTERN, max_length=40,
          description=f"A log position (e.g. 1234) or an ISO time with its zone (e.g. 2025-04-01T00:00:00Z, "
                      f"in {DATE_MIN}..{DATE_MAX}); default now."),
    AfterValidator(_known_at_in_range),
]

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7E]{1,128}$"
"""Printable ASCII, no spaces: a client's key for one request."""
