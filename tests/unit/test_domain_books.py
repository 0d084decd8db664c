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


@pytest.mark.parametrize("amount", ["0.00", "-4500.00"])
def test_line_amounts_must_be_positive(amount: str) -> None:
    lines = [{**RENT["lines"][0], "amount": amount}, {**RENT["lines"][1], "amount": amount}]
    with pytest.raises(RuleViolation, match="^payload-schema: "):
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
