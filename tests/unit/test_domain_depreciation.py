"""Opening entries, depreciation and the hand-over of construction (issue 12): each rule accepted and refused."""
from __future__ import annotations

from typing import Any

from ledger.domain.closing import closing_lines
from ledger.domain.depreciation import straight_line
from tests.support.fakes import FakeLedger, new_co, refused


def registered(category: str = "fixed_asset", books_against: str | None = "301", **more: Any) -> FakeLedger:
    ledger = new_co()
    ledger.append("InventoryBatchOpened", "QC-2024", {"title": "2024年度清产核资"}, on="2024-01-10")
    data = {"batch_id": "QC-2024", "name": "临街门面房3号", "category": category, "location": "人民路88号",
            "book_value": "120000.00", "appraised_value": "200000.00", **more}
    if books_against:
        data["books_against"] = books_against
    ledger.append("AssetRegistered", "ZC-1", data, on="2024-01-15")
    return ledger


def test_an_opening_entry_credits_equity_or_a_liability_and_books_only_fixed_assets_or_construction() -> None:
    assert registered().entity("ZC-1").books_against == "301"
    assert registered(books_against="241").entity("ZC-1").books_against == "241"
    with refused("opening-entry-account"):
        registered(books_against="102")
    with refused("opening-entry-account"):
        registered(books_against="999")
    with refused("opening-entry-category"):
        registered(category="resource")


def test_straight_line_depreciation_by_month_and_year_stops_at_the_depreciable_amount() -> None:
    assert straight_line(12_000_000, 0, 20, 1) == 50_000 and straight_line(12_000_000, 0, 20, 12) == 600_000
    assert straight_line(100, 0, 3, 1) == 3   # 100/36 = 2.78 fen, rounded half up
    ledger = registered(useful_life_years=20, salvage_value="0.00")
    done = ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024-02", "period": "2024-02"}, on="2024-02-29")
    assert done.events[-1].data["amount"] == 50_000 and ledger.entity("ZC-1").depreciated == 50_000
    ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024-03", "period": "2024-03", "amount": "700.00",
                                               "expense_account": "513"}, on="2024-03-31")
    with refused("depreciation-period-twice"):
        ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024", "period": "2024"}, on="2024-12-31")
    with refused("depreciation-date"):
        ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024-04", "period": "2024-04"}, on="2024-05-01")
    with refused("depreciation-exceeds-cost"):
        ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024-05", "period": "2024-05",
                                                   "amount": "200000.00"}, on="2024-05-31")


def test_depreciation_needs_a_fixed_asset_with_a_life_or_an_amount() -> None:
    with refused("depreciation-life-unknown"):
        registered().append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-1", "period": "2024-02"}, on="2024-02-29")
    with refused("depreciation-category"):
        registered(category="construction").append("AssetDepreciated", "ZC-1", {
            "voucher": "ZJ-1", "period": "2024-02", "amount": "10.00"}, on="2024-02-29")


def test_construction_is_handed_over_once_then_depreciated() -> None:
    ledger = registered(category="construction")
    ledger.append("ConstructionCompleted", "ZC-1", {"voucher": "ZG-1", "useful_life_years": 10}, on="2024-06-30")
    asset = ledger.entity("ZC-1")
    assert (asset.category, asset.book_value, asset.useful_life_years) == ("fixed_asset", 12_000_000, 10)
    with refused("completion-category"):
        ledger.append("ConstructionCompleted", "ZC-1", {"voucher": "ZG-2"}, on="2024-07-01")
    ledger.append("AssetDepreciated", "ZC-1", {"voucher": "ZJ-2024-07", "period": "2024-07"}, on="2024-07-31")
    assert ledger.entity("ZC-1").depreciated == 100_000


def test_closing_lines_zero_every_result_account_and_at_year_end_carry_321_to_322() -> None:
    balances = {"501": (0, 300_000), "511": (50_000, 0), "513": (20_000, 5_000), "321": (0, 10_000)}
    month = closing_lines(balances, year_end=False)
    assert month == [{"account": "501", "side": "debit", "amount": 300_000},
                     {"account": "511", "side": "credit", "amount": 50_000},
                     {"account": "513", "side": "credit", "amount": 15_000},
                     {"account": "321", "side": "credit", "amount": 235_000}]
    year = closing_lines(balances, year_end=True)
    assert year[-2:] == [{"account": "321", "side": "debit", "amount": 245_000},
                         {"account": "322", "side": "credit", "amount": 245_000}]
    loss = closing_lines({"511": (1_000, 0)}, year_end=True)
    assert loss[-2:] == [{"account": "321", "side": "credit", "amount": 1_000},
                         {"account": "322", "side": "debit", "amount": 1_000}]
    assert closing_lines({}, year_end=True) == []


def closing(period: str = "2024", lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"period": period, "description": "结转", "rules_version": 2, "lines": lines if lines is not None else [
        {"account": "501", "side": "debit", "amount": "10.00"}, {"account": "321", "side": "credit", "amount": "10.00"}]}


def test_a_closing_voucher_is_its_period_end_on_result_accounts_only_and_balanced() -> None:
    from ledger.domain.closing import refuse_if_closed_already
    from ledger.domain.errors import Conflict
    from ledger.domain.periods import Period

    ledger = new_co()
    assert ledger.append("ClosingPosted", "JZ-2024", closing(), on="2024-12-31").entity.period == "2024"
    with refused("closing-voucher"):
        ledger.append("ClosingPosted", "JZ-2024-11", closing("2024-11"), on="2024-11-29")
    with refused("closing-accounts"):
        ledger.append("ClosingPosted", "JZ-2024-11", closing("2024-11", [
            {"account": "102", "side": "debit", "amount": "10.00"},
            {"account": "321", "side": "credit", "amount": "10.00"}]), on="2024-11-30")
    with refused("voucher-unbalanced"):
        ledger.append("ClosingPosted", "JZ-2024-11", closing("2024-11", [
            {"account": "501", "side": "debit", "amount": "10.00"},
            {"account": "321", "side": "credit", "amount": "9.00"}]), on="2024-11-30")
    try:
        refuse_if_closed_already(ledger, Period(2024, "year"))
    except Conflict as exc:
        assert exc.rule == "period-closing-exists" and exc.status == 409
    else:
        raise AssertionError("a second closing of 2024 was not refused")
