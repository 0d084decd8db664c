"""The demo county's books as the 2023 system keeps them (profile ``2023``, the default).

Beside the legacy profile's history (``--profile 2023-legacy``, the events the pinned demo hashes
were made from): fixed assets booked with their registration (Dr 151 Cr 301) and depreciated every
year end (AssetDepreciated, straight line); rents on the accrual basis (Dr 112 Cr 501 on the invoice,
Dr 102 Cr 112 on receipt: ``rents``); works paid under a tender registered as construction in
progress (153) and handed over (Dr 151 Cr 153) a few months later; a short-term bank loan (Dr 102
Cr 201) whenever the bank account would otherwise go below zero; the year closed every year
(``writer``, through the closing command). Planted, so that the views show each kind of exception:
a CO whose 2025 is not closed, one whose bank goes below zero in November 2025, one whose first
fixed asset is registered without its opening entry (the register disagrees with 151).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from ledger.domain.money import parse_yuan
from ledger.seed.chronicle import HISTORY_END, YEARS, Chronicle, days, yuan
from ledger.domain.depreciation import straight_line
from ledger.seed.founding import USEFUL_LIFE, Asset
from ledger.seed.plan import KIND, CountyPlan

DEFAULT_PROFILE = "2023"
LEGACY_PROFILE = "2023-legacy"
PROFILES = (DEFAULT_PROFILE, LEGACY_PROFILE)

UNCLOSED, OVERDRAWN, UNBOOKED = 3, 5, 7
"""Indexes in the county of the COs planted with an unclosed 2025, a bank below zero, an asset not booked."""

PLANTED_EXCEPTIONS = {UNCLOSED: ("income-not-closed", (2025,)), OVERDRAWN: ("bank-negative", (2025,)),
                      UNBOOKED: ("fixed-assets-vs-151", YEARS)}
"""Index -> (the check the yearly views list as an exception, the years they list it in)."""

def planted_exceptions(county: CountyPlan) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Org id -> (the exception planted in it, the years its yearly views list it in)."""
    return {county.cos[index].org_id: planted for index, planted in PLANTED_EXCEPTIONS.items()
            if index < len(county.cos)}


LOAN_STEP = 1_000_000
"""Loans are taken in steps of 10,000.00 yuan."""


def register_works(chronicle: Chronicle, tender_id: str, project: str, building: str | None, paid: date,
                   amount: int) -> None:
    """The works of a tender: construction in progress (153) from the payment, handed over 2-4 months later."""
    batch_id = f"QC-GC-{paid.year}"
    if batch_id not in {r.entity_id for _, _, r in chronicle.entries if r.type == "InventoryBatchOpened"}:
        chronicle.add("InventoryBatchOpened", batch_id, date(paid.year, 1, 1), title=f"{paid.year}年度在建工程登记",
                      scope="工程招标形成的在建工程")
    asset_id = f"ZC-{tender_id.removeprefix('ZB-')}"
    chronicle.add("AssetRegistered", asset_id, paid, batch_id=batch_id, name=project, category="construction",
                  location=building or "本社区", book_value=yuan(amount), appraised_value=yuan(amount))
    done = paid + days(chronicle.rng.randint(60, 120))
    if done <= HISTORY_END:
        chronicle.add("ConstructionCompleted", asset_id, done, voucher=f"ZG-{tender_id.removeprefix('ZB-')}")


def depreciate(chronicle: Chronicle, assets: list[Asset]) -> None:
    """Every year end, a year of straight-line depreciation of each fixed asset of the inventory (Dr 511 Cr 152),
    counted with the year's expenses (the ledger computes the same amount: ``depreciation.straight_line``)."""
    for year in YEARS:
        for asset in assets:
            if KIND[asset.kind].category == "fixed_asset" and asset.book_fen:
                chronicle.add("AssetDepreciated", asset.asset_id, date(year, 12, 31), voucher=f"ZJ-{year}",
                              period=str(year), expense_account="511")
                chronicle.expenses[year] += straight_line(asset.book_fen, 0, USEFUL_LIFE[asset.kind], 12)


def bank_by_day(chronicle: Chronicle) -> dict[date, int]:
    """102's movement per day of the chronicle's vouchers (reversals in red ink), in fen."""
    lines_of: dict[str, int] = {}
    moved: dict[date, int] = defaultdict(int)
    for on, _, request in sorted(chronicle.entries, key=lambda e: (e[0], e[1])):
        if request.type == "VoucherPosted":
            net = sum(parse_yuan(line["amount"]) * (1 if line["side"] == "debit" else -1)
                      for line in request.data["lines"] if line["account"] == "102")
            lines_of[request.entity_id] = net
            moved[on] += net
        elif request.type == "VoucherReversed":
            moved[on] -= lines_of.get(request.data["reverses"], 0)
    return moved


def borrow_when_short(chronicle: Chronicle) -> None:
    """A short-term loan (Dr 102 Cr 201) on each day the bank would end below zero, enough to stay above it."""
    balance = 0
    for on, change in sorted(bank_by_day(chronicle).items()):
        balance += change
        if balance < 0:
            loan = -(-(-balance) // LOAN_STEP) * LOAN_STEP
            chronicle.voucher(on, "向郯城农村商业银行短期借款", [("102", "debit", loan), ("201", "credit", loan)])
            balance += loan


def overdraw(chronicle: Chronicle) -> None:
    """Planted: on 2025-11-20 a payment 1,000.00 yuan above what the bank holds (the bank goes below zero)."""
    on = date(2025, 11, 20)
    balance = sum(change for day, change in bank_by_day(chronicle).items() if day <= on)
    chronicle.voucher(on, "支付社区道路维修费（超出存款余额）", [("515", "debit", balance + 100_000),
                                                       ("102", "credit", balance + 100_000)])
