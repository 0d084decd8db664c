"""A CO's events in the making: each with its effective date, put in date order before writing.

Generators add events in any order; ``requests()`` sorts them by effective date, keeping the order
of addition within a day (so a meeting comes before its vote, a filing before the lease citing it).
Money goes in as integer fen and out as yuan strings, as a bookkeeper would send it over HTTP.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger.application.append import EventRequest
from ledger.domain.money import format_fen
from ledger.seed.names import GIVEN, SURNAMES

HISTORY_START = date(2023, 1, 1)
HISTORY_END = date(2025, 12, 31)
YEARS = (2023, 2024, 2025)
THRESHOLD_FEN = 3_000_000
"""The seed's 30,000 yuan: leases and tenders at or above it are major matters."""

Line = tuple[str, str, int]
"""(account code, debit or credit, amount in fen)."""


def yuan(fen: int) -> str:
    return format_fen(fen)


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class Chronicle:
    """The events of one CO, the flags planted on purpose, and the books' running totals."""

    org_id: str
    rng: random.Random
    entries: list[tuple[date, int, EventRequest]] = field(default_factory=list)
    planted: list[tuple[str, str]] = field(default_factory=list)
    """(entity id, rule) of every violation planted on purpose: the flags the ledger must raise."""
    income: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    """Rent booked to 501 per year, in fen."""
    expenses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    """Expenses booked to 51x per year, in fen."""
    seats: dict[str, int] = field(default_factory=dict)
    """Seats of each elected governing body."""
    books_2023: bool = False
    """The 2023 profile (``books2023``): opening entries, accrual rents, depreciation, works in progress."""
    unbooked: set[str] = field(default_factory=set)
    """Fixed assets registered without their opening entry (a planted register-vs-151 difference)."""
    _serials: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, type_: str, entity_id: str, on: date, **data: Any) -> dict[str, Any]:
        """Add one event; returns its data (still editable until ``requests()``: e.g. a meeting's agenda)."""
        self.entries.append((on, len(self.entries), EventRequest(type_, entity_id, on, data)))
        return data

    def serial(self, prefix: str, width: int = 3) -> str:
        """The next id of a series: serial('HT-2024') -> 'HT-2024-001', then 'HT-2024-002'."""
        self._serials[prefix] += 1
        return f"{prefix}-{self._serials[prefix]:0{width}d}"

    def voucher(self, on: date, description: str, lines: list[Line], attachments: int = 1) -> str:
        """Post a voucher numbered by its date (PZ-20240315-002); returns its number."""
        number = self.serial(f"PZ-{on:%Y%m%d}")
        self.add("VoucherPosted", number, on, description=description, attachments=attachments,
                 lines=[{"account": a, "side": s, "amount": yuan(m)} for a, s, m in lines])
        return number

    def reverse(self, on: date, number: str, reason: str) -> str:
        """Reverse a voucher (红字冲销) with a reversing voucher of its own number."""
        reversal = self.serial(f"PZ-{on:%Y%m%d}")
        self.add("VoucherReversed", reversal, on, reverses=number, reason=reason)
        return reversal

    def plant(self, entity_id: str, *rules: str) -> None:
        self.planted.extend((entity_id, rule) for rule in rules)

    def requests(self) -> list[EventRequest]:
        """Every event in effective-date order (ties: the order they were added)."""
        return [request for _, _, request in sorted(self.entries, key=lambda e: (e[0], e[1]))]


def month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def person(rng: random.Random, surname: str | None = None) -> str:
    """A plausible name: a surname and one or two given characters."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return (surname or rng.choice(SURNAMES)) + given
