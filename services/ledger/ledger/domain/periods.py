"""Accounting periods: a month ('2025-03'), a quarter ('2025-Q1') or a year ('2025').

Pure values: monthly regular audits, quarterly special audits and year-end audits all ask for a
period; closing stores one. Dates are inclusive at both ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_YEAR = re.compile(r"([0-9]{4})")


class PeriodFormatError(ValueError):
    """A period was not written as YYYY-MM, YYYY-Qn or YYYY."""


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or year: ``index`` is the month (1-12), the quarter (1-4) or 1 for a year."""

    year: int
    kind: PeriodKind
    index: int = 1

    def __post_init__(self) -> None:
        limit = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not 1 <= self.index <= limit or not 1 <= self.year <= 9999:
            raise PeriodFormatError(f"no {self.kind} {self.index} in year {self.year}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2025-03' is March 2025, '2025-Q1' the first quarter, '2025' the year."""
        if m := _MONTH.fullmatch(text):
            return cls(int(m.group(1)), "month", int(m.group(2)))
        if m := _QUARTER.fullmatch(text):
            return cls(int(m.group(1)), "quarter", int(m.group(2)))
        if m := _YEAR.fullmatch(text):
            return cls(int(m.group(1)), "year")
        raise PeriodFormatError(f"a period is YYYY-MM, YYYY-Qn or YYYY (e.g. 2025-03, 2025-Q1, 2025); got {text!r}")

    @classmethod
    def month_of(cls, day: date) -> "Period":
        """The month a date falls in."""
        return cls(day.year, "month", day.month)

    @property
    def months(self) -> int:
        """How many months the period spans (1, 3 or 12)."""
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def start(self) -> date:
        """The first day of the period."""
        first_month = 1 if self.kind == "year" else (self.index - 1) * self.months + 1
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        last_month = self.start.month + self.months - 1
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    def contains(self, day: date | str) -> bool:
        """Whether a date (or ISO date string) falls inside the period."""
        when = date.fromisoformat(day) if isinstance(day, str) else day
        return self.start <= when <= self.end

    def previous(self) -> "Period":
        """The period of the same kind just before this one."""
        if self.kind == "year":
            return Period(self.year - 1, "year")
        if self.index == 1:
            return Period(self.year - 1, self.kind, 12 // self.months)
        return Period(self.year, self.kind, self.index - 1)

    def next(self) -> "Period":
        """The period of the same kind just after this one."""
        if self.kind == "year":
            return Period(self.year + 1, "year")
        if self.index == 12 // self.months:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.index + 1)

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

