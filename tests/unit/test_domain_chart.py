"""The 2023 chart of accounts."""
from __future__ import annotations

from ledger.domain.chart import CHART, SECTIONS, account, accounts_in


def test_chart_has_the_42_accounts_of_the_2023_system() -> None:
    assert len(CHART) == 42
    assert account("501").name_zh == "经营收入" and account("501").section == "income"
    assert account("311").name_zh == "公积公益金" and account("311").normal_side == "credit"
    assert account("999") is None


def test_every_section_has_accounts_and_contra_accounts_are_marked() -> None:
    assert all(accounts_in(section) for section in SECTIONS)
    assert {a.code for a in CHART.values() if a.contra} == {"133", "152", "162"}


def test_signed_amount_follows_the_normal_side() -> None:
    assert account("102").signed("debit", 100) == 100
    assert account("102").signed("credit", 100) == -100
    assert account("152").signed("credit", 100) == 100
