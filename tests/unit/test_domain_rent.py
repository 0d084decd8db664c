"""Rent arithmetic: months of a term, periods, contract value."""
from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.rent_schedule import (
    add_months,
    below_annual,
    periods_in,
    schedule_value,
    term_months,
)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


@pytest.mark.parametrize("start, end, months", [
    (date(2025, 1, 1), date(2027, 12, 31), 36),
    (date(2025, 1, 1), date(2025, 1, 1), 1),
    (date(2025, 1, 15), date(2025, 2, 14), 1),
    (date(2025, 1, 15), date(2025, 2, 15), 2),
    (date(2025, 1, 1), date(2024, 12, 31), 0),
])
def test_term_months_counts_started_months(start: date, end: date, months: int) -> None:
    assert term_months(start, end) == months


def test_periods_round_started_periods_up() -> None:
    assert periods_in(date(2025, 1, 1), date(2026, 1, 31), "yearly") == 2
    assert periods_in(date(2025, 1, 1), date(2025, 12, 31), "quarterly") == 4
    assert periods_in(date(2025, 1, 1), date(2025, 12, 31), "monthly") == 12


def test_schedule_value_sums_segments() -> None:
    schedule = [{"from": "2025-01-01", "amount": 150000, "period": "monthly"},
                {"from": "2026-01-01", "amount": 500000, "period": "quarterly"}]
    assert schedule_value(schedule, date(2026, 12, 31)) == 12 * 150000 + 4 * 500000


def test_below_annual_is_exact() -> None:
    assert below_annual(149999, "monthly", 1800000)
    assert not below_annual(150000, "monthly", 1800000)
    assert not below_annual(450000, "quarterly", 1800000)
