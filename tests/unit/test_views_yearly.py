"""The year-end efficiency audit view over a small inline ledger: 2025 of one CO."""
from __future__ import annotations

import pytest

from tests.unit.test_views_support import Log, canonical, json_kinds, view


@pytest.fixture
def year() -> Log:
    log = Log()
    log.org()
    log.voucher("V01", "2024-01-05", ("102", "debit", 1_000_000), ("301", "credit", 1_000_000))
    log.voucher("V02", "2024-06-01", ("151", "debit", 800_000), ("102", "credit", 800_000))
    log.voucher("V03", "2024-12-31", ("102", "debit", 100_000), ("501", "credit", 100_000))  # 2024, never closed
    log.voucher("V04", "2025-03-01", ("102", "debit", 240_000), ("501", "credit", 240_000))
    log.voucher("V05", "2025-04-01", ("102", "debit", 50_000), ("502", "credit", 50_000))
    log.voucher("V06", "2025-05-01", ("511", "debit", 30_000), ("102", "credit", 30_000))
    log.voucher("V07", "2025-05-02", ("512", "debit", 5_000), ("214", "credit", 5_000))
    log.voucher("V08", "2025-06-01", ("513", "debit", 20_000), ("102", "credit", 20_000))
    log.voucher("V09", "2025-07-01", ("102", "debit", 10_000), ("503", "credit", 10_000))
    log.voucher("V10", "2025-08-01", ("514", "debit", 4_000), ("102", "credit", 4_000))
    log.voucher("V11", "2025-09-01", ("515", "debit", 1_000), ("102", "credit", 1_000))
    log.voucher("V12", "2025-12-31", ("511", "debit", 40_000), ("152", "credit", 40_000))
    log.voucher("V13", "2025-12-20", ("322", "debit", 60_000), ("311", "credit", 20_000), ("211", "credit", 40_000))
    log.voucher("V14", "2025-12-31", ("501", "debit", 240_000), ("502", "debit", 50_000), ("503", "debit", 10_000),
                ("511", "credit", 70_000), ("512", "credit", 5_000), ("513", "credit", 20_000),
                ("514", "credit", 4_000), ("515", "credit", 1_000), ("321", "credit", 200_000))
    log.asset("A1", "2024-01-10", "fixed_asset", 500_000)
    log.asset("A2", "2024-01-10", "resource", 100_000)
    log.asset("A4", "2024-01-10", "fixed_asset", 30_000)
    log.asset("F1", "2025-01-02", "fund", 200_000)
    log.asset("A3", "2025-02-01", "fixed_asset", 80_000)
    log.add("AssetRevalued", "A2", "2025-06-01", {"appraised_value": 150_000, "book_value": 120_000, "reason": "评估"})
    log.add("AssetDisposed", "A4", "2025-09-01", {"method": "scrapped", "reason": "报废"})
    log.lease("L1", "2024-12-20", "A1", "2025-01-01", "2025-12-31", 60_000, "quarterly")
    for quarter_start, paid_on in (("01", "2025-01-05"), ("04", "2025-04-05"), ("07", "2025-07-05"), ("10", None)):
        log.invoice("L1", f"2025-{quarter_start}-01", 60_000, f"2025-{quarter_start}-01", f"2025-{quarter_start}-28")
        if paid_on:
            log.receive("L1", paid_on, 60_000)
    for member_id, name in (("M1", "张三"), ("M2", "李四")):
        log.add("MemberQualified", member_id, "2020-06-01", {"name": name, "household_id": "H1",
                                                             "basis": "household_registration"})
        log.add("SharesAllotted", member_id, "2020-06-01", {"shares": 20})
    log.add("SharesTransferred", "M2", "2024-03-01", {"to_member_id": "M1", "shares": 5, "reason": "within_household"})
    log.adopted("R9", "2025-12-10")
    log.add("DistributionDeclared", "D2025", "2025-12-15", {
        "resolution_id": "R9", "fiscal_year": 2025, "distributable": 300_000, "reserve_fund": 20_000,
        "member_distribution": 40_000, "rate_per_share": 1_000})
    log.add("DividendPaid", "DV1", "2025-12-25", {"distribution_id": "D2025", "member_id": "M1", "amount": 25_000})
    log.add("DividendPaid", "DV2", "2025-12-26", {"distribution_id": "D2025", "member_id": "M2", "amount": 10_000})
    log.add("FindingRecorded", "F1", "2025-06-01", {"period": "2025-Q1", "title": "租金逾期", "detail": "L1",
                                                    "severity": "high", "subject_ids": ["L1"]})
    log.add("FindingRecorded", "F0", "2025-04-01", {"period": "2025-Q1", "title": "凭证缺附件", "detail": "V04"})
    log.add("FindingRectified", "F0", "2025-05-01", {"rectification": "已补附件"})
    return log


def lines(side: dict) -> list[tuple[str, int, int]]:
    return [(line["account"], line["opening_fen"], line["closing_fen"]) for line in side["lines"]]


def test_balance_sheet_balances_with_contra_accounts_and_the_years_result(year: Log) -> None:
    sheet = view(year, "2025")["balance_sheet"]
    assert lines(sheet["assets"]) == [("102", 300_000, 545_000), ("151", 800_000, 800_000), ("152", 0, -40_000)]
    assert lines(sheet["liabilities"]) == [("211", 0, 40_000), ("214", 0, 5_000)]
    assert lines(sheet["equity"]) == [("301", 1_000_000, 1_000_000), ("311", 0, 20_000), ("321", 100_000, 200_000),
                                      ("322", 0, 40_000)]
    assert (sheet["assets"]["opening_fen"], sheet["assets"]["closing_fen"]) == (1_100_000, 1_305_000)
    assert (sheet["liabilities_and_equity_opening_fen"], sheet["liabilities_and_equity_closing_fen"]) == (
        1_100_000, 1_305_000)
    assert sheet["balanced_opening"] is True and sheet["balanced_closing"] is True
    assert sheet["assets"]["lines"][2]["contra"] is True


def test_income_statement_follows_the_income_flow_line_by_line(year: Log) -> None:
    statement = view(year, "2025")["income_statement"]
    assert [(line["item"], line["sign"], line["amount_fen"]) for line in statement["lines"]] == [
        ("operating_income", "+", 240_000), ("investment_income", "+", 50_000), ("operating_expense", "-", 70_000),
        ("taxes_and_surcharges", "-", 5_000), ("management_expense", "-", 20_000), ("operating_result", "=", 195_000),
        ("subsidy_income", "+", 10_000), ("other_income", "+", 0), ("public_welfare_expense", "-", 4_000),
        ("other_expense", "-", 1_000), ("total_result", "=", 200_000), ("income_tax", "-", 0),
        ("current_year_result", "=", 200_000), ("undistributed_prior_year", "+", 100_000),
        ("distributable", "=", 300_000), ("reserve_fund", "-", 20_000), ("member_distribution", "-", 40_000),
        ("other_distribution", "-", 0), ("undistributed_year_end", "=", 240_000)]
    assert statement["closing_vouchers"] == ["V14"]
    assert (statement["undistributed_per_books_fen"], statement["books_difference_fen"]) == (240_000, 0)


def test_the_statement_is_the_same_before_the_bookkeeper_closes_income_into_321(year: Log) -> None:
    closed = view(year, "2025")
    year.records = [r for r in year.records if r.entity_id != "V14"]  # the closing voucher
    before = view(year, "2025")
    assert before["income_statement"]["lines"] == closed["income_statement"]["lines"]
    assert before["income_statement"]["books_difference_fen"] == 0
    assert before["balance_sheet"]["balanced_closing"] is True
    assert before["income_statement"]["closing_vouchers"] == []


def test_asset_roll_forward_by_category_closes(year: Log) -> None:
    roll = view(year, "2025")["asset_roll_forward"]
    assert roll["categories"] == [
        {"category": "fixed_asset", "opening_fen": 530_000, "additions_fen": 80_000, "revaluations_fen": 0,
         "disposals_fen": 30_000, "closing_fen": 580_000},
        {"category": "fund", "opening_fen": 0, "additions_fen": 200_000, "revaluations_fen": 0,
         "disposals_fen": 0, "closing_fen": 200_000},
        {"category": "resource", "opening_fen": 100_000, "additions_fen": 0, "revaluations_fen": 20_000,
         "disposals_fen": 0, "closing_fen": 120_000},
    ]
    assert roll["totals"]["closing_fen"] == 900_000


def test_rent_collection_rate_and_return_on_operating_assets_are_fixed_decimal_strings(year: Log) -> None:
    got = view(year, "2025")
    assert got["rent_collection"] == {"invoiced_fen": 240_000, "received_fen": 180_000, "rate": "0.7500"}
    assert got["return_on_operating_assets"] == {"current_year_result_fen": 200_000, "operating_assets": ["A1"],
                                                 "book_value_fen": 500_000, "rate": "0.4000"}


def test_distribution_shows_reserve_rate_and_what_each_member_was_paid(year: Log) -> None:
    distribution = view(year, "2025")["distribution"]
    (plan,) = distribution["declarations"]
    assert (plan["distribution_id"], plan["fiscal_year"], plan["reserve_fund_fen"], plan["rate_per_share_fen"]) == (
        "D2025", 2025, 20_000, 1_000)
    assert plan["members"] == [
        {"member_id": "M1", "name": "张三", "shares": 25, "entitled_fen": 25_000, "paid_fen": 25_000},
        {"member_id": "M2", "name": "李四", "shares": 15, "entitled_fen": 15_000, "paid_fen": 10_000}]
    assert distribution["totals"] == {"reserve_fund_fen": 20_000, "member_distribution_fen": 40_000, "other_fen": 0,
                                      "paid_fen": 35_000}


def test_open_findings_are_those_not_rectified(year: Log) -> None:
    assert view(year, "2025")["open_findings"] == [{
        "finding_id": "F1", "recorded_on": "2025-06-01", "period": "2025-Q1", "title": "租金逾期", "detail": "L1",
        "severity": "high", "subject_ids": ["L1"]}]


def test_without_income_rates_are_none_and_the_view_is_still_canonical() -> None:
    empty = view(Log(), "2025")
    assert empty["rent_collection"]["rate"] is None and empty["return_on_operating_assets"]["rate"] is None
    assert empty["open_findings"] == [] and empty["distribution"]["declarations"] == []
    assert json_kinds(empty) == [] and canonical(empty) == canonical(view(Log(), "2025"))


def test_fixed_ratio_rounds_half_away_from_zero_with_integers() -> None:
    from projections.views.common import fixed_ratio

    assert [fixed_ratio(7, 8), fixed_ratio(-1, 3), fixed_ratio(2, 3), fixed_ratio(1, 20000), fixed_ratio(0, 5),
            fixed_ratio(-1, 30000), fixed_ratio(5, 0)] == ["0.8750", "-0.3333", "0.6667", "0.0001", "0.0000",
                                                           "0.0000", None]
