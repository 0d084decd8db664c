"""A CO's founding: registration, representatives, the asset inventory (清产核资) and its posting.

Then, after the member register (``members.py``), the first congress, board and supervisory board,
and on 2023-01-01 the opening voucher of the books (建账): fixed assets and funds against capital.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ledger.application.append import EventRequest
from ledger.seed.chronicle import HISTORY_START, Chronicle, Line, days, person, yuan
from ledger.seed.names import BEARINGS, MATTER_CODES, ROADS
from ledger.seed.plan import KIND, AssetPlan, CoPlan

TERM_DAYS = 5 * 365
"""Governing bodies serve five years."""
BANKS = ("郯城农村商业银行", "中国农业银行郯城县支行", "中国邮政储蓄银行郯城县支行")
USEFUL_LIFE = {"MF": 30, "SC": 20, "CK": 25}
"""Years of straight-line depreciation of the fixed assets by kind (2023 profile): shops, markets, stores."""


@dataclass(frozen=True)
class Asset:
    """An asset as registered: what the leases and the books need of it."""

    asset_id: str
    kind: str
    name: str
    location: str
    appraised_fen: int
    book_fen: int
    annual_rent_fen: int | None


def registration(co: CoPlan) -> EventRequest:
    """OrganizationRegistered (an admin's event): name, street, cut-off and the 72-item major-matter policy."""
    policy = {"threshold": "30000.00", "matter_codes": list(MATTER_CODES), "mode": co.mode}
    return EventRequest("OrganizationRegistered", co.org_id, co.founded, {
        "name": co.name, "street": co.street, "qualification_cutoff": co.cutoff.isoformat(), "policy": policy})


def found(chronicle: Chronicle, co: CoPlan) -> list[Asset]:
    """Representatives elected, inventory opened, every planned asset registered, results posted."""
    rng = chronicle.rng
    seats = min(co.members, max(5, min(50, co.members // 25)))
    chronicle.seats["representatives"] = seats
    chronicle.add("GoverningBodyElected", co.org_id, co.founded + days(3), body="representatives", seats=seats,
                  chair=person(rng), term_end=(co.founded + days(TERM_DAYS)).isoformat())
    batch_id = f"QC-{co.founded.year}"
    chronicle.add("InventoryBatchOpened", batch_id, co.founded + days(7), title=f"{co.founded.year}年度清产核资",
                  as_of=date(co.founded.year - 1, 12, 31).isoformat(), scope="全部经营性资产、资源性资产和资金",
                  led_by=f"{co.village}清产核资工作小组（委托郯城县正信会计师事务所）")
    assets = [_asset(rng, co, plan) for plan in co.assets]
    for asset in assets:
        _register(chronicle, co, batch_id, asset)
    chronicle.add("InventoryPublished", batch_id, co.founded + days(50), notice_days=7, note="公示期内无异议",
                  channels=["村务公开栏", "微信群", "郯城县农村集体资产监管平台"])
    return assets


def elect_bodies(chronicle: Chronicle, co: CoPlan, candidates: list[str]) -> None:
    """The first congress (every member a seat), board and supervisory board, after the cut-off.

    ``candidates`` are member names; the plan gives every CO at least five members.
    """
    rng = chronicle.rng
    on = co.cutoff + days(rng.randint(15, 30))
    term_end = (on + days(TERM_DAYS)).isoformat()
    board = rng.sample(candidates, min(len(candidates), rng.randint(3, 7)))
    supervisors = rng.sample(candidates, 3)
    for body, seats, members in (("congress", co.members, []), ("board", len(board), board),
                                 ("supervisory", 3, supervisors)):
        chronicle.seats[body] = seats
        extra = {"members": members, "chair": members[0]} if members else {}
        chronicle.add("GoverningBodyElected", co.org_id, on, body=body, seats=seats, term_end=term_end, **extra)


def open_books(chronicle: Chronicle, assets: list[Asset]) -> None:
    """The opening voucher (建账): fixed assets (151) and funds (102) at book value, against capital (301).

    In the 2023 profile the fixed assets are booked with their registration (``books_against``): funds only.
    """
    fixed = 0 if chronicle.books_2023 else sum(a.book_fen for a in assets if KIND[a.kind].category == "fixed_asset")
    funds = sum(a.book_fen for a in assets if a.kind == "ZJ")
    lines: list[Line] = [(code, "debit", amount) for code, amount in (("151", fixed), ("102", funds)) if amount]
    chronicle.voucher(HISTORY_START, "建账：登记清产核资确认的固定资产和资金期初余额",
                      [*lines, ("301", "credit", fixed + funds)], attachments=3)


def _register(chronicle: Chronicle, co: CoPlan, batch_id: str, asset: Asset) -> None:
    kind = KIND[asset.kind]
    extra = {"appraised_annual_rent": yuan(asset.annual_rent_fen)} if asset.annual_rent_fen else {}
    on = co.founded + days(chronicle.rng.randint(10, 40))
    if chronicle.books_2023 and kind.category == "fixed_asset":
        extra.update(useful_life_years=USEFUL_LIFE[asset.kind], salvage_value="0.00")
        if asset.asset_id not in chronicle.unbooked:
            extra["books_against"] = "301"
    chronicle.add("AssetRegistered", asset.asset_id, on, batch_id=batch_id, name=asset.name,
                  category=kind.category, location=asset.location, book_value=yuan(asset.book_fen),
                  appraised_value=yuan(asset.appraised_fen), description=_description(chronicle.rng, asset), **extra)


def _asset(rng: random.Random, co: CoPlan, plan: AssetPlan) -> Asset:
    kind = KIND[plan.kind]
    name, location = _name_and_place(rng, co, plan)
    share = {"fixed_asset": (45, 90), "resource": (0, 30), "fund": (100, 100)}[kind.category]
    book = plan.appraised_fen * rng.randint(*share) // 100
    if kind.category != "fund":
        book -= book % 10_000
    rent = None
    if kind.rent_yield:
        rent = max(10_000, -(-plan.appraised_fen * rng.randint(*kind.rent_yield) // 1000 // 10_000) * 10_000)
    return Asset(plan.asset_id, plan.kind, name, location, plan.appraised_fen, book, rent)


def _name_and_place(rng: random.Random, co: CoPlan, plan: AssetPlan) -> tuple[str, str]:
    number = int(plan.asset_id[-3:])
    road, bearing = rng.choice(ROADS), rng.choice(BEARINGS)
    mu = max(1, plan.appraised_fen // 100 // rng.randint(20_000, 40_000))
    suffix = "" if number == 1 else f"{number}号"
    return {
        "MF": (f"{road}临街门面房{number}号", f"{road}{rng.randint(1, 300)}号"),
        "SC": (f"{co.village}{rng.choice(('农贸', '建材', '小商品', '果蔬'))}市场{suffix}", f"{co.village}{road}东段"),
        "CK": (f"{co.village}仓储院{number}号", f"{co.village}村{bearing}侧"),
        "TD": (f"{co.village}{bearing}地块{suffix}（{mu}亩）", f"{co.village}村{bearing}，{road}以{bearing}"),
        "YT": (f"{co.village}{bearing}鱼塘{suffix}（{mu}亩）", f"{co.village}村{bearing}"),
        "ZJ": (f"银行存款（{BANKS[(number - 1) % 3]}）", f"{BANKS[(number - 1) % 3]}城关支行"),
    }[plan.kind]


def _description(rng: random.Random, asset: Asset) -> str:
    return {
        "MF": f"砖混结构，建筑面积{rng.randint(40, 180)}平方米",
        "SC": f"钢结构大棚，摊位{rng.randint(60, 240)}个",
        "CK": f"仓库及院落，占地{rng.randint(800, 4000)}平方米",
        "TD": "集体建设用地，权属清晰，无争议",
        "YT": "常年水面，配套看护房一间",
        "ZJ": "基本存款账户",
    }[asset.kind]
