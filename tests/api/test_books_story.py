"""A year of books told over HTTP and every 2025 statement checked against figures worked out by hand.

The shop front of ``test_story`` (书华社区东关股份经济合作社) is booked with its inventory (建账: Dr 151
Cr 301), leased from 2025 at 12,500.00 a quarter on the accrual basis (Dr 112 Cr 501 on each invoice,
Dr 102 Cr 112 on each receipt; the fourth quarter is unpaid at the year end), a mistyped receipt is
reversed in red ink (红字冲销) and a repair overstated by 300.00 corrected in red ink (红字更正), the
year's depreciation is booked (180,000.00 over 20 years: 9,000.00), the congress's distribution is
booked and paid, and the year is closed. By hand:

    income 4 x 12,500.00 = 50,000.00; expense 511: 500.00 repair + 9,000.00 depreciation, 513: 2,000.00
    result 50,000.00 - 9,500.00 - 2,000.00 = 38,500.00; reserve 7,700.00, members 30,000.00 -> 800.00 left
    bank 100,000.00 + 3 x 12,500.00 - 500.00 - 2,000.00 - 30,000.00 = 105,000.00; 112 12,500.00
    assets 105,000.00 + 12,500.00 + 180,000.00 - 9,000.00 = 288,500.00
    = capital 280,000.00 + reserve 7,700.00 + undistributed 800.00
"""
from __future__ import annotations

from typing import Any

from freezegun import freeze_time

from tests.api.conftest import Api
from tests.api.test_story import CONGRESS_VOTE, DISTRIBUTION, FOUNDING, MEMBERS, SHOP, SIGNING, appended, ev, register

ORG = "TC-001"


def voucher(number: str, day: str, description: str, *lines: tuple[str, str, str], **more: Any) -> dict[str, Any]:
    return ev("VoucherPosted", number, day, description=description, **more,
              lines=[{"account": a, "side": s, "amount": m} for a, s, m in lines])


INVENTORY = [
    ev("InventoryBatchOpened", "QC-2021", "2021-03-10", title="2021年度清产核资", as_of="2020-12-31"),
    ev("AssetRegistered", "ZC-MF-001", "2021-03-20", batch_id="QC-2021", name=SHOP, category="fixed_asset",
       location="人民路88号", book_value="180000.00", appraised_value="260000.00", appraised_annual_rent="48000.00",
       books_against="301", useful_life_years=20, salvage_value="0.00"),
    ev("AssetRegistered", "ZC-YT-001", "2021-03-21", batch_id="QC-2021", name="东湖鱼塘（12亩）", category="resource",
       location="东湖村东", book_value="0.00", appraised_value="96000.00"),
    ev("InventoryPublished", "QC-2021", "2021-04-10", channels=["村务公开栏"], notice_days=7),
    voucher("PZ-2021-001", "2021-03-21", "清产核资银行存款建账", ("102", "debit", "100000.00"),
            ("301", "credit", "100000.00")),
]


def quarter(n: int, start: str, end: str, paid_on: str | None, amount: str = "12500.00") -> list[dict[str, Any]]:
    events = [ev("RentInvoiced", "HT-2025-001", start, amount="12500.00", period_start=start, period_end=end,
                 due=start[:8] + "10"),
              voucher(f"PZ-2025-Q{n}", start, f"确认第{n}季度租金", ("112", "debit", "12500.00"),
                      ("501", "credit", "12500.00"))]
    if paid_on:
        events += [ev("RentReceived", "HT-2025-001", paid_on, amount="12500.00"),
                   voucher(f"PZ-2025-R{n}", paid_on, f"收第{n}季度租金", ("102", "debit", amount),
                           ("112", "credit", amount))]
    return events


YEAR = [
    *quarter(1, "2025-01-01", "2025-03-31", "2025-01-08"),
    voucher("PZ-2025-M1", "2025-03-31", "支付管理人员工资", ("513", "debit", "2000.00"), ("102", "credit", "2000.00")),
    *quarter(2, "2025-04-01", "2025-06-30", "2025-05-20"),
    voucher("PZ-2025-X1", "2025-06-10", "支付门面房维修费", ("511", "debit", "800.00"), ("102", "credit", "800.00")),
    voucher("PZ-2025-X2", "2025-06-12", "红字更正多记维修费", ("511", "debit", "-300.00"), ("102", "credit", "-300.00"),
            corrects="PZ-2025-X1"),
    *quarter(3, "2025-07-01", "2025-09-30", "2025-07-08", amount="1250.00"),
    ev("VoucherReversed", "PZ-2025-R3X", "2025-07-10", reverses="PZ-2025-R3", reason="金额少记一位，红字冲销"),
    voucher("PZ-2025-R3B", "2025-07-10", "收第3季度租金", ("102", "debit", "12500.00"), ("112", "credit", "12500.00")),
    *quarter(4, "2025-10-01", "2025-12-31", None),
    *DISTRIBUTION[:2],
    ev("DistributionDeclared", "FP-2025", "2025-12-22", resolution_id="JY-2025-12-01", fiscal_year=2025,
       distributable="38500.00", reserve_fund="7700.00", member_distribution="30000.00", rate_per_share="6000.00"),
    voucher("PZ-2025-D1", "2025-12-22", "提取公积公益金并计提股东分红", ("322", "debit", "37700.00"),
            ("311", "credit", "7700.00"), ("211", "credit", "30000.00")),
    ev("DividendPaid", "FH-2025-0001", "2025-12-28", distribution_id="FP-2025", member_id="GD-0001", amount="12000.00"),
    ev("DividendPaid", "FH-2025-0002", "2025-12-28", distribution_id="FP-2025", member_id="GD-0002", amount="12000.00"),
    ev("DividendPaid", "FH-2025-0003", "2025-12-28", distribution_id="FP-2025", member_id="GD-0003", amount="6000.00"),
    voucher("PZ-2025-D2", "2025-12-28", "支付股东分红", ("211", "debit", "30000.00"), ("102", "credit", "30000.00")),
    ev("AssetDepreciated", "ZC-MF-001", "2025-12-31", voucher="ZJ-2025", period="2025"),
]


def by_item(lines: list[dict[str, Any]], *columns: str) -> dict[str, tuple[Any, ...]]:
    return {line["item"]: tuple(line[c] for c in columns) for line in lines}


def get(api: Api, token: str, path: str) -> dict[str, Any]:
    response = api.request("GET", path, token=token)
    assert response.status_code == 200, response.text
    return dict(response.json())


@freeze_time("2026-01-05T08:00:00Z")
def test_a_year_of_books_gives_the_hand_computed_statements(api: Api) -> None:
    coop = register(api)
    auditor = api.token("auditor", street="郯城街道")
    for chapter in (FOUNDING, INVENTORY, MEMBERS, CONGRESS_VOTE, SIGNING, YEAR):
        appended(api, coop, chapter)
    before = get(api, auditor, f"/v1/orgs/{ORG}/audit/2025")["as_known"]["view"]
    assert before["reconciliations"]["exceptions"] == ["income-not-closed"]
    closed = api.request("POST", f"/v1/orgs/{ORG}/books/2025/closing", token=coop)
    assert closed.status_code == 201, closed.text
    assert closed.json()["lines"][-2:] == [{"account": "321", "side": "debit", "amount": "38500.00"},
                                           {"account": "322", "side": "credit", "amount": "38500.00"}]
    year = get(api, auditor, f"/v1/orgs/{ORG}/audit/2025")["as_known"]["view"]

    income = by_item(year["income_statement"]["lines"], "line", "current", "prior")
    assert income == {
        "operating_income": (1, "50000.00", "0.00"), "investment_income": (2, "0.00", "0.00"),
        "operating_expense": (3, "9500.00", "0.00"), "taxes_and_surcharges": (4, "0.00", "0.00"),
        "management_expense": (5, "2000.00", "0.00"), "operating_result": (6, "38500.00", "0.00"),
        "subsidy_income": (7, "0.00", "0.00"), "other_income": (8, "0.00", "0.00"),
        "public_welfare_expense": (9, "0.00", "0.00"), "other_expense": (10, "0.00", "0.00"),
        "total_result": (11, "38500.00", "0.00"), "income_tax": (12, "0.00", "0.00"),
        "current_year_result": (13, "38500.00", "0.00"), "undistributed_prior_year": (14, "0.00", "0.00"),
        "distributable": (15, "38500.00", "0.00"), "reserve_fund": (16, "7700.00", "0.00"),
        "member_distribution": (17, "30000.00", "0.00"), "other_distribution": (18, "0.00", "0.00"),
        "undistributed_year_end": (19, "800.00", "0.00")}
    assert year["income_statement"]["books_difference"] == "0.00"
    assert year["income_statement"]["closing_vouchers"] == ["JZ-2025"]

    sheet = by_item(year["balance_sheet"]["lines"], "opening", "closing")
    nonzero = {item: figures for item, figures in sheet.items() if figures != ("0.00", "0.00")}
    assert nonzero == {
        "cash_and_bank": ("100000.00", "105000.00"), "receivables": ("0.00", "12500.00"),
        "current_assets": ("100000.00", "117500.00"), "fixed_assets_cost": ("180000.00", "180000.00"),
        "less_accumulated_depreciation": ("0.00", "9000.00"), "fixed_assets_net": ("180000.00", "171000.00"),
        "non_current_assets": ("180000.00", "171000.00"), "total_assets": ("280000.00", "288500.00"),
        "capital": ("280000.00", "280000.00"), "reserve_fund": ("0.00", "7700.00"),
        "undistributed_result": ("0.00", "800.00"), "total_equity": ("280000.00", "288500.00"),
        "total_liabilities_and_equity": ("280000.00", "288500.00")}
    assert year["balance_sheet"]["balanced_closing"] is True

    assets = year["fixed_assets"]
    assert [(a["asset_id"], a["closing_cost"], a["depreciation"], a["closing_net"]) for a in assets["assets"]] == [
        ("ZC-MF-001", "180000.00", "9000.00", "171000.00")]
    checks = {c["check"]: (c["books"], c["register"], c["difference"]) for c in year["reconciliations"]["checks"]}
    assert checks["receivables-vs-112"] == ("12500.00", "12500.00", "0.00")
    assert checks["fixed-assets-vs-151"] == ("180000.00", "180000.00", "0.00")
    assert checks["depreciation-vs-152"] == ("9000.00", "9000.00", "0.00")
    assert checks["distributions-vs-322"] == ("37700.00", "37700.00", "0.00")
    assert year["reconciliations"]["exceptions"] == []

    june = get(api, auditor, f"/v1/orgs/{ORG}/audit/2025-06")["as_known"]["view"]
    tb = {r["account"]: r for r in june["trial_balance"]["accounts"]}
    assert (tb["511"]["debit"], tb["102"]["credit"], tb["102"]["closing_debit"]) == ("500.00", "500.00", "122500.00")
    assert by_item(june["balance_sheet"]["lines"], "closing")["cash_and_bank"] == ("122500.00",)
    july = {r["account"]: r for r in get(api, auditor, f"/v1/orgs/{ORG}/audit/2025-07")["as_known"]["view"]
            ["trial_balance"]["accounts"]}
    assert (july["102"]["debit"], july["112"]["debit"], july["112"]["credit"]) == ("12500.00", "12500.00", "12500.00")
    january = {r["account"] for r in get(api, auditor, f"/v1/orgs/{ORG}/audit/2026-01")["as_known"]["view"]
               ["trial_balance"]["accounts"]}
    assert not any(code.startswith("5") or code == "321" for code in january)

    events = get(api, coop, f"/v1/orgs/{ORG}/events?after=0&limit=1000")["events"]
    depreciation = next(e for e in events if e["type"] == "AssetDepreciated")
    closing = next(e for e in events if e["type"] == "ClosingPosted")
    assert (depreciation["data"]["amount"], closing["entity_id"], closing["data"]["lines"][0]["amount"]) == \
        ("9000.00", "JZ-2025", "50000.00")
    december = get(api, auditor, f"/v1/orgs/{ORG}/audit/2025-12")["as_known"]["view"]
    booked = {v["voucher"]: v["total"] for v in december["vouchers"]}
    assert (booked["ZJ-2025"], booked["JZ-2025"]) == ("9000.00", "88500.00")   # JZ: 50,000 + 38,500 on the debit side
    assert december["reconciliations"]["exceptions"] == []
    book = get(api, auditor, f"/v1/orgs/{ORG}/books/accounts/112?from=2025-01-01&to=2025-12-31")["view"]
    assert (book["opening"], book["debit"], book["credit"], book["closing"]) == \
        ("0.00", "50000.00", "37500.00", "12500.00")
