"""Periods: parsing, bounds, containment, neighbours."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.periods import Period, PeriodFormatError


@pytest.mark.parametrize("text, kind, start, end", [
    ("2025-03", "month", date(2025, 3, 1), date(2025, 3, 31)),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2025-12", "month", date(2025, 12, 1), date(2025, 12, 31)),
    ("2025-Q1", "quarter", date(2025, 1, 1), date(2025, 3, 31)),
    ("2025-Q4", "quarter", date(2025, 10, 1), date(2025, 12, 31)),
    ("2025", "year", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_parse_gives_kind_and_inclusive_bounds(text: str, kind: str, start: date, end: date) -> None:
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, str(period)) == (kind, start, end, text)


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-Q5", "25", "2025-3", "2025-q1", "2025/03", ""])
def test_parse_refuses_other_spellings(text: str) -> None:
    with pytest.raises(PeriodFormatError):
        Period.parse(text)


def test_contains_takes_dates_and_iso_strings() -> None:
    q1 = Period.parse("2025-Q1")
    assert q1.contains(date(2025, 3, 31)) and q1.contains("2025-01-01")
    assert not q1.contains("2025-04-01") and not q1.contains(date(2024, 12, 31))


def test_previous_and_next_cross_year_boundaries() -> None:
    assert str(Period.parse("2025-01").previous()) == "2024-12"
    assert str(Period.parse("2025-Q1").previous()) == "2024-Q4"
    assert str(Period.parse("2025").previous()) == "2024"
    assert str(Period.parse("2024-12").next()) == "2025-01"
    assert str(Period.parse("2024-Q4").next()) == "2025-Q1"


def test_month_of_a_date() -> None:
    assert str(Period.month_of(date(2025, 7, 19))) == "2025-07"


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)),
       st.sampled_from(["month", "quarter", "year"]))
def test_periods_of_a_kind_tile_time(day: date, kind: str) -> None:
    month = Period.month_of(day)
    period = {"month": month, "quarter": Period(day.year, "quarter", (day.month - 1) // 3 + 1),
              "year": Period(day.year, "year")}[kind]
    assert period.contains(day)
    assert not period.previous().contains(day) and not period.next().contains(day)
    assert (period.start - period.previous().end).days == 1
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize("text", ["٢٠٢٤", "2024\n", "２０２４", "2024-0３", "2024-Q1\n", "2024-03\n"])
def test_periods_are_ascii_digits_with_nothing_after(text: str) -> None:
    with pytest.raises(PeriodFormatError):
        Period.parse(text)
