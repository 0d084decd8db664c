"""What an id, a text and a date may be: one charset, no control characters, one date range.

Every id the ledger takes (in a path, a query or a payload) is ``ID_PATTERN``: a letter or digit,
then letters, digits and ``. _ : -``, 64 characters at most; never ``/`` (an id is a path
segment), never a space or a control character. Texts refuse control characters other than tab,
line feed and carriage return (PostgreSQL cannot store NUL). Dates lie in ``DATE_MIN..DATE_MAX``
(1949-10-01..2199-12-31): the ledger's periods and views are computed in that range.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
"""Entity ids: the CO's asset card, contract, member, voucher numbers."""

TEXT_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
"""A text: anything but control characters (tab, line feed and carriage return allowed)."""

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")

DATE_MIN = date(1949, 10, 1)
DATE_MAX = date(2199, 12, 31)

DATE_PATTERN = r"^(?:(?:19[5-9][0-9]|2[01][0-9][0-9])-(?:0[1-9]|1[0-2])|1949-1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
"""YYYY-MM-DD with a year and month in DATE_MIN..DATE_MAX (the schema of every date the API takes)."""

YEAR_PATTERN = r"(?:19[5-9][0-9]|20[0-9][0-9]|21[0-9][0-9])"
PERIOD_PATTERN = (r"^(?:" + YEAR_PATTERN + r"(?:-(?:0[1-9]|1[0-2]|Q[1-4]))?|1949(?:-(?:1[0-2]|Q4))?)$")
"""A year, month (YYYY-MM) or quarter (YYYY-Qn) with a day in DATE_MIN..DATE_MAX."""

EntityId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="The CO's own identifier (asset card, contract, member, voucher number): "
                    "letters, digits and . _ : - (no /), 64 characters at most.",
    ),
]

SafeText = Annotated[str, Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)]


def date_in_range(value: Any) -> Any:
    """Refuses a date outside DATE_MIN..DATE_MAX (a string is checked once it parses as a date)."""
    day = value
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value  # not a date: the date validator says so
    if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"dates lie in {DATE_MIN}..{DATE_MAX}; got {day.isoformat()}")
    return value
