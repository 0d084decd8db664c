"""The books under rules v2 (issue 12): red ink, yuan strings, the 2023 layouts; v1 kept as it was.

Property tests over the random ledgers of ``test_views_properties`` (bounded example counts) and a
small ledger whose figures are computed by hand below.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.errors import RuleViolation
from ledger.domain.periods import Period
from projections.views import render
from projections.views.rules import RULES, rules_of
from projections.views.yuan import yuan_strings
from tests.unit.test_views_properties import fast, ledgers
from tests.unit.test_views_support import ORG, VIEW_OF_KIND, Log, json_kinds

V1, V2 = RULES[1], RULES[2]
months = st.builds(lambda y, m: Period(y, "month", m), st.sampled_from([2024, 2025]), st.integers(1, 12))
years = st.builds(lambda y: Period(y, "year"), st.sampled_from([2024, 2025]))


def v2(log: Log, period: str | Period) -> dict[str, Any]:
    asked = Period.parse(period) if isinstance(period, str) else period
    return render(VIEW_OF_KIND[asked.kind], ORG, asked, log.facts(), V2)


def fen(text: str) -> int:
    whole, cents = text.split(".")
    return (-1 if whole.startswith("-") else 1) * (abs(int(whole)) * 100 + int(cents))


def line(sheet: dict[str, Any], item: str) -> dict[str, Any]:
    return next(row for row in sheet["lines"] if row["item"] == item)


def test_yuan_strings_rename_every_fen_key_and_refuse_a_clash() -> None:
    assert yuan_strings({"a_fen": -5, "rows": [{"b_fen": 150000, "c": 1}], "d_fen": None}) == \
        {"a": "-0.05", "rows": [{"b": "1500.00", "c": 1}], "d": None}
    with pytest.raises(ValueError):
        yuan_strings({"a_fen": 1, "a": 2})


def _yuan_reference(value: Any) -> Any:
    """yuan_strings written the plain way: one recursive call per value."""
    if isinstance(value, list):
        return [_yuan_reference(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key.endswith("_fen"):
            assert key[:-4] not in value
            out[key[:-4]] = f"{'-' if item < 0 else ''}{abs(item) // 100}.{abs(item) % 100:02d}" \
                if type(item) is int else _yuan_reference(item)
        else:
            out[key] = _yuan_reference(item)
    return out


_keys = st.sampled_from(["a", "b", "b_fen", "c_fen", "rows", "", "_fen", "e_fen_x", "x_fen", "x_fen_fen"])
_trees = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=3),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
                      max_leaves=30)


@settings(max_examples=500, deadline=None)  # small trees, about a second
@given(_trees)
def test_yuan_strings_agree_with_the_plain_recursion(tree: Any) -> None:
    def clash(value: Any) -> bool:
        if isinstance(value, list):
            return any(clash(item) for item in value)
        return isinstance(value, dict) and (any(k.endswith("_fen") and k[:-4] in value for k in value)
                                            or any(clash(item) for item in value.values()))

    if clash(tree):
        with pytest.raises(ValueError):
            yuan_strings(tree)
    else:
        assert yuan_strings(tree) == _yuan_reference(tree)
        assert yuan_strings(tree) == _yuan_reference(tree)  # the keys' names remembered give the same


@pytest.mark.parametrize("asked", ["3", "٢", "2\n", "v2", ""])
def test_unknown_rules_versions_are_refused(asked: str) -> None:
    with pytest.raises(RuleViolation, match="^rules-version"):
        rules_of(asked)


@fast
@given(ledgers(), months)
def test_v2_trial_balance_balances_and_closing_is_opening_plus_movements(log: Log, period: Period) -> None:
    tb = v2(log, period)["trial_balance"]
    assert tb["balanced"] is True and json_kinds(tb) == []
    for row in tb["accounts"]:
        opening = fen(row["opening_debit"]) - fen(row["opening_credit"])
        closing = fen(row["closing_debit"]) - fen(row["closing_credit"])
        assert closing == opening + fen(row["debit"]) - fen(row["credit"]), row["account"]


@fast
@given(ledgers(), st.one_of(months, years))
def test_v2_balance_sheets_balance_assets_against_liabilities_and_equity(log: Log, period: Period) -> None:
    sheet = v2(log, period)["balance_sheet"]
    assert sheet["balanced_opening"] is True and sheet["balanced_closing"] is True
    assert [row["line"] for row in sheet["lines"]] == list(range(1, len(sheet["lines"]) + 1))
    assert all(row["name_zh"] for row in sheet["lines"])


@settings(max_examples=40, deadline=None)
@given(ledgers(), months, st.integers(1, 25), st.integers(0, 3))
def test_a_red_ink_reversal_in_the_same_month_reads_as_if_the_voucher_never_existed(
        log: Log, period: Period, day: int, later: int) -> None:
    # day + later <= 28: a day of every month (27 + 3 made a "2024-02-30" reversal, outside February)
    without = v2(log, period)
    on = f"{period.start.isoformat()[:8]}{day:02d}"
    log.voucher("X-1", on, ("102", "debit", 12_345), ("501", "credit", 12_000), ("504", "credit", 345))
    log.reverse("X-R", f"{period.start.isoformat()[:8]}{day + later:02d}", "X-1")
    with_both = v2(log, period)
    assert with_both["trial_balance"] == without["trial_balance"]
    assert with_both["balance_sheet"] == without["balance_sheet"]
    assert with_both["income_expense"]["totals"] == without["income_expense"]["totals"]


def story() -> Log:
    log = Log()
    log.org()
    log.voucher("V-1", "2024-01-05", ("102", "debit", 1_000_000), ("301", "credit", 1_000_000))
    log.voucher("V-2", "2024-07-03", ("102", "debit", 24_000), ("501", "credit", 24_000))
    log.voucher("V-3", "2024-07-10", ("513", "debit", 2_700), ("102", "credit", 2_700))   # wrong: meant 511
    log.reverse("V-4", "2024-07-20", "V-3")
    log.voucher("V-5", "2024-07-20", ("511", "debit", 2_700), ("102", "credit", 2_700))
    log.voucher("V-6", "2024-07-25", ("102", "debit", 5_000), ("504", "credit", 5_000))
    return log


def test_red_ink_reversal_nets_the_movement_columns_by_hand() -> None:
    tb = v2(story(), "2024-07")["trial_balance"]
    bank = next(row for row in tb["accounts"] if row["account"] == "102")
    # debits 240.00 + 50.00; credits 27.00 (V-3) - 27.00 (red ink V-4) + 27.00 (V-5)
    assert (bank["opening_debit"], bank["debit"], bank["credit"], bank["closing_debit"]) == \
        ("10000.00", "290.00", "27.00", "10263.00")
    assert not any(row["account"] == "513" for row in tb["accounts"])
    legacy = render("monthly", ORG, Period.parse("2024-07"), story().facts(), V1)["trial_balance"]
    old_bank = next(row for row in legacy["accounts"] if row["account"] == "102")
    assert (old_bank["debit_fen"], old_bank["credit_fen"]) == (31_700, 5_400)   # v1: sides swapped, both inflated


def test_the_2023_statements_by_hand() -> None:
    year = v2(story(), "2024")
    sheet, income = year["balance_sheet"], year["income_statement"]
    assert (sheet["title"], sheet["columns"]) == ("资产负债表", {"opening": "年初数", "closing": "期末数"})
    assert line(sheet, "cash_and_bank")["closing"] == "10263.00"
    assert line(sheet, "capital")["closing"] == "10000.00"
    # result 240.00 + 50.00 - 27.00 = 263.00, not closed: it stands in 未分配收益
    assert line(sheet, "undistributed_result")["closing"] == "263.00"
    assert line(sheet, "total_assets")["closing"] == line(sheet, "total_liabilities_and_equity")["closing"]
    assert income["columns"] == {"current": "本年数", "prior": "上年数"}
    figures = {row["item"]: (row["line"], row["current"], row["prior"]) for row in income["lines"]}
    assert figures["operating_income"] == (1, "240.00", "0.00")
    assert figures["operating_expense"][1:] == ("27.00", "0.00")
    assert figures["management_expense"][1] == "0.00"
    assert figures["current_year_result"][1] == "263.00"
    assert year["rules_version"] == 2 and "rules_version" not in render("yearly", ORG, Period(2024, "year"),
                                                                         story().facts(), V1)


quarters = st.builds(lambda y, q: Period(y, "quarter", q), st.sampled_from([2024, 2025]), st.integers(1, 4))


@fast
@given(ledgers(), st.one_of(months, quarters, years))
def test_v2_views_read_the_same_from_their_selection_as_from_all_facts(log: Log, period: Period) -> None:
    from projections.selection import select_facts

    kind, facts = VIEW_OF_KIND[period.kind], log.facts()
    view = render(kind, ORG, period, facts, V2)
    assert view == render(kind, ORG, period, select_facts(kind, period, facts), V2)
    assert json_kinds(view) == [] and "_fen\"" not in json.dumps(view) and view["rules_version"] == 2
