"""Vouchers: balanced, on the 2023 chart, corrected only by reversal."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.books import reversal_lines
from ledger.domain.chart import CHART
from ledger.domain.errors import RuleViolation
from tests.support.fakes import FakeLedger, new_co, refused

RENT = {"description": "收张三门面房一季度租金", "attachments": 2, "lines": [
    {"account": "102", "side": "debit", "amount": "4500.00", "memo": "银行收款"},
    {"account": "501", "side": "credit", "amount": "4500.00", "memo": "租金收入"},
]}


def test_balanced_voucher_is_posted_with_its_chinese_memo() -> None:
    ledger = new_co()
    voucher = ledger.append("VoucherPosted", "V-2025-001", RENT, on="2025-01-08").entity
    assert voucher.lines[0] == {"account": "102", "side": "debit", "amount": 450_000, "memo": "银行收款"}
    assert ledger.replayed("V-2025-001").description == "收张三门面房一季度租金"


def test_unbalanced_voucher_is_refused() -> None:
    lines = [RENT["lines"][0], {**RENT["lines"][1], "amount": "4499.99"}]
    with refused("voucher-unbalanced"):
        new_co().append("VoucherPosted", "V-1", {**RENT, "lines": lines})


def test_codes_outside_the_2023_chart_are_refused() -> None:
    lines = [RENT["lines"][0], {**RENT["lines"][1], "account": "599"}]
    with refused("account-unknown"):
        new_co().append("VoucherPosted", "V-1", {**RENT, "lines": lines})


@pytest.mark.parametrize(("amount", "rule"), [("0.00", "voucher-amount-zero"), ("-4500.00", "voucher-negative-amount")])
def test_zero_amounts_and_red_ink_without_a_cited_voucher_are_refused(amount: str, rule: str) -> None:
    lines = [{**RENT["lines"][0], "amount": amount}, {**RENT["lines"][1], "amount": amount}]
    with refused(rule):
        new_co().append("VoucherPosted", "V-1", {**RENT, "lines": lines})


def red_ink(amount: str, account: str = "501") -> dict:
    return {"description": "红字更正多记租金", "corrects": "V-1", "lines": [
        {"account": "102", "side": "debit", "amount": amount}, {"account": account, "side": "credit", "amount": amount}]}


def test_a_correcting_voucher_may_carry_red_ink_on_the_accounts_it_corrects() -> None:
    ledger = reversible()
    voucher = ledger.append("VoucherPosted", "V-2", red_ink("-500.00"), on="2025-01-20").entity
    assert [line["amount"] for line in voucher.lines] == [-50_000, -50_000] and voucher.corrects == "V-1"
    supplement = ledger.append("VoucherPosted", "V-3", red_ink("300.00"), on="2025-01-21").entity
    assert supplement.corrects == "V-1"


def test_red_ink_on_an_account_the_cited_voucher_does_not_carry_is_refused() -> None:
    with refused("red-ink-account"):
        reversible().append("VoucherPosted", "V-2", red_ink("-500.00", account="504"), on="2025-01-20")


def test_a_correction_dated_before_its_voucher_or_of_a_reversal_is_refused() -> None:
    ledger = reversible()
    with refused("correction-before-voucher"):
        ledger.append("VoucherPosted", "V-2", red_ink("-500.00"), on="2025-01-07")
    ledger.append("VoucherReversed", "V-R", {"reverses": "V-1", "reason": "科目错误"}, on="2025-02-03")
    with refused("correction-of-voucher"):
        ledger.append("VoucherPosted", "V-2", {**red_ink("-500.00"), "corrects": "V-R"}, on="2025-02-04")
    with refused("reference-exists"):
        ledger.append("VoucherPosted", "V-2", {**red_ink("-500.00"), "corrects": "V-404"}, on="2025-02-04")


@pytest.mark.parametrize("amount", ["１２.００", "١٢.٠٠", "12.00\n", "12.00 ", "+12.00", "12.001"])
def test_amounts_are_ascii_digits_with_nothing_after(amount: str) -> None:
    lines = [{**RENT["lines"][0], "amount": amount}, {**RENT["lines"][1], "amount": amount}]
    with pytest.raises(RuleViolation, match="^payload-schema: .*money-format"):
        new_co().append("VoucherPosted", "V-1", {**RENT, "lines": lines})


def reversible() -> FakeLedger:
    ledger = new_co()
    ledger.append("VoucherPosted", "V-1", RENT, on="2025-01-08")
    return ledger


def test_reversal_cites_the_voucher_once() -> None:
    ledger = reversible()
    reversal = ledger.append("VoucherReversed", "V-2", {"reverses": "V-1", "reason": "科目错误"}, on="2025-02-03").entity
    assert (reversal.KIND, reversal.reverses) == ("voucher", "V-1")
    with refused("voucher-already-reversed"):
        ledger.append("VoucherReversed", "V-3", {"reverses": "V-1", "reason": "重复"}, on="2025-02-04")
    with refused("voucher-is-reversal"):
        ledger.append("VoucherReversed", "V-3", {"reverses": "V-2", "reason": "冲销冲销"}, on="2025-02-04")


def test_reversal_dated_before_the_voucher_or_of_nothing_is_refused() -> None:
    ledger = reversible()
    with refused("reversal-before-voucher"):
        ledger.append("VoucherReversed", "V-2", {"reverses": "V-1", "reason": "x"}, on="2025-01-07")
    with refused("reference-exists"):
        ledger.append("VoucherReversed", "V-2", {"reverses": "V-404", "reason": "x"}, on="2025-02-01")


line = st.fixed_dictionaries({"account": st.sampled_from(sorted(CHART)), "side": st.sampled_from(["debit", "credit"]),
                              "amount": st.integers(1, 10**12)})


@given(st.lists(line, min_size=1, max_size=20))
def test_a_voucher_and_its_reversal_cancel_out_on_every_account(lines: list[dict]) -> None:
    totals: dict[str, int] = {}
    for entry in lines + reversal_lines(lines):
        account = CHART[entry["account"]]
        totals[account.code] = totals.get(account.code, 0) + account.signed(entry["side"], entry["amount"])
    assert set(totals.values()) == {0}
