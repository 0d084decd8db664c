"""The monthly regular audit view over a small inline ledger: February 2025 of one CO."""
from __future__ import annotations

import pytest

from ledger.domain.periods import Period
from projections.views import render
from tests.unit.test_views_support import ORG, Log, canonical, flag, json_kinds, view


@pytest.fixture
def february() -> Log:
    log = Log()
    log.org()
    log.voucher("V001", "2025-01-05", ("101", "debit", 10_000), ("102", "debit", 490_000), ("301", "credit", 500_000))
    log.voucher("V002", "2025-02-03", ("102", "debit", 120_000, "收张三门面房一季度租金"), ("501", "credit", 120_000))
    log.voucher("V003", "2025-02-10", ("513", "debit", 3_000), ("101", "credit", 3_000), description="办公用品")
    log.voucher("V004", "2025-02-15", ("511", "debit", 20_000, "维修费"), ("102", "credit", 20_000, "维修费"))
    log.reverse("R001", "2025-02-20", "V004", reason="金额错误")
    log.voucher("V005", "2025-02-20", ("511", "debit", 2_000, "维修费"), ("102", "credit", 2_000, "维修费"))
    log.voucher("V006", "2025-02-28", ("112", "debit", 30_000), ("504", "credit", 30_000), recorded="2025-03-05")
    log.asset("A1", "2024-01-10", "fixed_asset", 5_000_000, annual_rent=2_400_000)
    log.lease("L1", "2025-02-12", "A1", "2025-03-01", "2026-02-28", 100_000, "monthly",
              flags=[flag("below-value-lease", "rent below appraised", lease_id="L1")])
    log.voucher("V007", "2025-03-02", ("102", "debit", 1_000), ("501", "credit", 1_000))
    return log


def tb_row(account: str, name_zh: str, section: str, side: str, *columns: int) -> dict:
    keys = ("opening_debit_fen", "opening_credit_fen", "debit_fen", "credit_fen", "closing_debit_fen",
            "closing_credit_fen")
    from ledger.domain.chart import CHART

    return {"account": account, "name_zh": name_zh, "name_en": CHART[account].name_en, "section": section,
            "normal_side": side, **dict(zip(keys, columns))}


def test_header_names_the_co_the_period_and_the_as_of_date(february: Log) -> None:
    got = view(february, "2025-02")
    assert {k: got[k] for k in ("view", "org_id", "org_name", "period", "period_start", "as_of")} == {
        "view": "monthly", "org_id": "TC-001", "org_name": ORG["name"], "period": "2025-02",
        "period_start": "2025-02-01", "as_of": "2025-02-28"}


def test_trial_balance_shows_opening_movement_and_closing_on_each_accounts_normal_side(february: Log) -> None:
    tb = view(february, "2025-02")["trial_balance"]
    assert tb["accounts"] == [
        tb_row("101", "库存现金", "asset", "debit", 10_000, 0, 0, 3_000, 7_000, 0),
        tb_row("102", "银行存款", "asset", "debit", 490_000, 0, 140_000, 22_000, 608_000, 0),
        tb_row("112", "应收款", "asset", "debit", 0, 0, 30_000, 0, 30_000, 0),
        tb_row("301", "资本", "equity", "credit", 0, 500_000, 0, 0, 0, 500_000),
        tb_row("501", "经营收入", "income", "credit", 0, 0, 0, 120_000, 0, 120_000),
        tb_row("504", "其他收入", "income", "credit", 0, 0, 0, 30_000, 0, 30_000),
        tb_row("511", "经营支出", "expense", "debit", 0, 0, 22_000, 20_000, 2_000, 0),
        tb_row("513", "管理费用", "expense", "debit", 0, 0, 3_000, 0, 3_000, 0),
    ]
    assert tb["totals"] == {"opening_debit_fen": 500_000, "opening_credit_fen": 500_000, "debit_fen": 195_000,
                            "credit_fen": 195_000, "closing_debit_fen": 650_000, "closing_credit_fen": 650_000}
    assert tb["balanced"] is True


def test_a_balance_against_the_normal_side_shows_in_the_other_column() -> None:
    log = Log()
    log.voucher("V1", "2025-02-01", ("501", "debit", 500), ("101", "credit", 500))
    rows = {r["account"]: r for r in view(log, "2025-02")["trial_balance"]["accounts"]}
    assert (rows["101"]["closing_debit_fen"], rows["101"]["closing_credit_fen"]) == (0, 500)
    assert (rows["501"]["closing_debit_fen"], rows["501"]["closing_credit_fen"]) == (500, 0)


def test_income_expense_detail_lists_the_months_5xx_lines_with_the_reversal(february: Log) -> None:
    detail = view(february, "2025-02")["income_expense"]
    assert [(r["account"], r["date"], r["voucher"], r["memo"], r["amount_fen"]) for r in detail["lines"]] == [
        ("501", "2025-02-03", "V002", "V002", 120_000),
        ("504", "2025-02-28", "V006", "V006", 30_000),
        ("511", "2025-02-15", "V004", "维修费", 20_000),
        ("511", "2025-02-20", "R001", "维修费", -20_000),
        ("511", "2025-02-20", "V005", "维修费", 2_000),
        ("513", "2025-02-10", "V003", "办公用品", 3_000),
    ]
    assert [(r["account"], r["amount_fen"]) for r in detail["by_account"]] == [
        ("501", 120_000), ("504", 30_000), ("511", 2_000), ("513", 3_000)]
    assert detail["totals"] == {"income_fen": 150_000, "expense_fen": 5_000, "net_fen": 145_000}


def test_vouchers_of_the_month_link_a_voucher_and_the_reversal_citing_it(february: Log) -> None:
    vouchers = view(february, "2025-02")["vouchers"]
    assert [(v["voucher"], v["date"], v["reverses"], v["reversed_by"], v["total_fen"]) for v in vouchers] == [
        ("V002", "2025-02-03", None, None, 120_000),
        ("V003", "2025-02-10", None, None, 3_000),
        ("V004", "2025-02-15", None, "R001", 20_000),
        ("R001", "2025-02-20", "V004", None, 20_000),
        ("V005", "2025-02-20", None, None, 2_000),
        ("V006", "2025-02-28", None, None, 30_000),
    ]
    reversal = vouchers[3]
    assert reversal["description"] == "金额错误"
    assert [(line["account"], line["side"], line["amount_fen"]) for line in reversal["lines"]] == [
        ("511", "credit", 20_000), ("102", "debit", 20_000)]


def test_cash_and_bank_journals_run_a_balance_from_the_opening(february: Log) -> None:
    cash, bank = view(february, "2025-02")["cash_journal"]
    assert (cash["account"], cash["opening_fen"], cash["closing_fen"]) == ("101", 10_000, 7_000)
    assert [(e["voucher"], e["debit_fen"], e["credit_fen"], e["balance_fen"]) for e in cash["entries"]] == [
        ("V003", 0, 3_000, 7_000)]
    assert [(e["voucher"], e["balance_fen"]) for e in bank["entries"]] == [
        ("V002", 610_000), ("V004", 590_000), ("R001", 610_000), ("V005", 608_000)]
    assert (bank["opening_fen"], bank["debit_fen"], bank["credit_fen"], bank["closing_fen"]) == (
        490_000, 140_000, 22_000, 608_000)


def test_exceptions_list_flags_late_entries_and_reversals_of_the_month(february: Log) -> None:
    exceptions = view(february, "2025-02")["exceptions"]
    assert [(f["type"], f["entity_id"], f["rule"], f["values"]) for f in exceptions["flags"]] == [
        ("LeaseSigned", "L1", "below-value-lease", {"lease_id": "L1"})]
    assert [(e["entity_id"], e["date"], e["recorded_at"]) for e in exceptions["late_entries"]] == [
        ("V006", "2025-02-28", "2025-03-05T09:00:00+00:00")]
    assert exceptions["reversals"] == [{
        "voucher": "R001", "date": "2025-02-20", "position": 6, "reverses": "V004",
        "reversed_voucher_date": "2025-02-15", "reason": "金额错误", "amount_fen": 20_000, "adjusts": None}]


def test_a_later_reversal_is_not_seen_in_an_earlier_month(february: Log) -> None:
    february.reverse("R002", "2025-03-10", "V002")
    assert view(february, "2025-02")["vouchers"][0]["reversed_by"] is None
    march = view(february, "2025-03")
    assert march["vouchers"][0]["voucher"] == "V007"
    assert [r["reverses"] for r in march["exceptions"]["reversals"]] == ["V002"]


def test_the_view_is_canonical_json_and_the_same_bytes_every_time(february: Log) -> None:
    first, second = view(february, "2025-02"), view(february, "2025-02")
    assert json_kinds(first) == []
    assert canonical(first) == canonical(second)


def test_a_view_audits_its_own_kind_of_period(february: Log) -> None:
    with pytest.raises(ValueError, match="monthly view audits a month"):
        render("monthly", ORG, Period.parse("2025-Q1"), february.facts())
