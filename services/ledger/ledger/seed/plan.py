"""The county plan: what the demo county holds, decided before a single event is written.

Calibrated to the seed article (Tancheng): 56 COs, 68,000 members, 270,000,000.00 yuan of assets at
scale 1.0. ``--scale`` multiplies the counts (members, assets, tenders, expense vouchers) and the
asset total; the 56 COs stay. Every total is split with the largest-remainder method in integers, so
the parts sum to the total exactly. Pure and deterministic: the same (scale, seed) gives the same plan.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Sequence

from ledger.seed import names

COS = 56
MEMBERS = 68_000
ASSET_FEN = 27_000_000_000
"""270,000,000.00 yuan (清理资产2.7亿元), in fen."""
MIN_MEMBERS = 5
MIN_SCALE = 0.005
"""Below it 68,000 x scale cannot give every CO its five members."""
FLAG_COS = 3
"""COs whose major-matter policy is ``flag``: each gets the planted violations."""
UNIT_FEN = 10_000
"""Asset values are whole hundreds of yuan; the rest of the total (fen) goes to the first fund."""


@dataclass(frozen=True)
class AssetKind:
    """A kind of asset, how many the county has at scale 1.0 and its share of the asset total (per mille)."""

    code: str
    label: str
    category: str
    count: int
    permille: int
    rent_yield: tuple[int, int] | None
    """Appraised annual rent as per mille of the appraised value (low, high); None: not leased."""


KINDS = (
    AssetKind("MF", "门面房", "fixed_asset", 1400, 400, (60, 80)),
    AssetKind("SC", "市场", "fixed_asset", 40, 180, (60, 90)),
    AssetKind("CK", "仓库", "fixed_asset", 80, 70, (50, 70)),
    AssetKind("TD", "土地", "resource", 220, 200, (30, 50)),
    AssetKind("YT", "鱼塘", "resource", 60, 50, (30, 50)),
    AssetKind("ZJ", "资金", "fund", COS, 100, None),
)
KIND = {kind.code: kind for kind in KINDS}
TENDERS = 168
"""Engineering tenders in the county over the three years, at scale 1.0."""
EXPENSE_VOUCHERS = 60
"""Expense vouchers per CO and year, at scale 1.0 (at least four: one a quarter)."""


@dataclass(frozen=True)
class AssetPlan:
    asset_id: str
    kind: str
    appraised_fen: int


@dataclass(frozen=True)
class CoPlan:
    """One CO: identity, founding dates, policy mode, and its share of the county's counts and assets."""

    index: int
    org_id: str
    village: str
    community: str
    street: str
    founded: date
    cutoff: date
    mode: str
    members: int
    assets: tuple[AssetPlan, ...]
    expense_vouchers: int
    tenders: int
    seed: int

    @property
    def name(self) -> str:
        return f"{self.community}{self.village}股份经济合作社"

    @property
    def asset_fen(self) -> int:
        return sum(a.appraised_fen for a in self.assets)


@dataclass(frozen=True)
class CountyPlan:
    scale: float
    seed: int
    cos: tuple[CoPlan, ...]

    @property
    def members(self) -> int:
        return sum(co.members for co in self.cos)

    @property
    def asset_fen(self) -> int:
        return sum(co.asset_fen for co in self.cos)

    def co(self, org_id: str) -> CoPlan:
        return next(co for co in self.cos if co.org_id == org_id)


def scaled(count: int, scale: float) -> int:
    """``count x scale`` rounded half to even, computed in decimal (0.05 x 68,000 is 3,400 exactly)."""
    return int((Decimal(count) * Decimal(str(scale))).to_integral_value(ROUND_HALF_EVEN))


def apportion(total: int, weights: Sequence[int], minimum: Sequence[int] | int = 0) -> list[int]:
    """Split ``total`` by integer ``weights`` after giving each part its minimum; the parts sum to ``total``.

    Largest remainder (Hamilton): floors first, then one more to the largest remainders, ties by position.
    """
    floors = [minimum] * len(weights) if isinstance(minimum, int) else list(minimum)
    rest = total - sum(floors)
    if rest < 0 or not weights or sum(weights) <= 0:
        raise ValueError(f"cannot split {total} over {len(weights)} parts with minimums {sum(floors)}")
    whole = sum(weights)
    parts = [floor + rest * w // whole for floor, w in zip(floors, weights)]
    order = sorted(range(len(weights)), key=lambda i: (-(rest * weights[i] % whole), i))
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return parts


def plan_county(scale: float = 1.0, seed: int = 42) -> CountyPlan:
    """The county at ``scale``: 56 COs and the exact split of members, assets and work among them."""
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE} (five members in each of the {COS} COs); got {scale}")
    rng = random.Random(seed)
    weights = [rng.randint(500, 1500) for _ in range(COS)]
    flagged = sorted(rng.sample(range(COS), FLAG_COS))
    members = apportion(scaled(MEMBERS, scale), weights, MIN_MEMBERS)
    assets = _assets(rng, scale, weights, flagged)
    vouchers = apportion(max(scaled(EXPENSE_VOUCHERS * COS, scale), 4 * COS), weights, 4)
    tenders = apportion(scaled(TENDERS, scale), weights)
    cos = []
    for i in range(COS):
        community, street = names.COMMUNITIES[i * len(names.COMMUNITIES) // COS]
        founded = date(2021, 3, 1) + timedelta(days=rng.randint(0, 390))
        cos.append(CoPlan(
            index=i, org_id=f"TC-{i + 1:03d}", village=names.VILLAGES[i], community=community,
            street=names.STREETS[street], founded=founded, cutoff=_month_end(founded, rng.randint(3, 4)),
            mode="flag" if i in flagged else "reject", members=members[i], assets=assets[i],
            expense_vouchers=vouchers[i], tenders=tenders[i], seed=rng.getrandbits(64),
        ))
    return CountyPlan(scale, seed, tuple(cos))


def _assets(rng: random.Random, scale: float, weights: list[int],
            flagged: list[int]) -> list[tuple[AssetPlan, ...]]:
    """Counts per kind and CO, then the value units of each kind spread over its assets."""
    total = scaled(ASSET_FEN, scale)
    counts = {}
    for kind in KINDS:
        least = [1] * COS if kind.code == "ZJ" else [0] * COS
        if kind.code == "MF":
            least = [2 if i in flagged else 1 for i in range(COS)]
        counts[kind.code] = apportion(max(scaled(kind.count, scale), sum(least)), weights, least)
    present = [k for k in KINDS if sum(counts[k.code])]
    units = apportion(total // UNIT_FEN, [k.permille for k in present])
    per_co: list[list[AssetPlan]] = [[] for _ in range(COS)]
    for kind, kind_units in zip(present, units):
        owners = [i for i in range(COS) for _ in range(counts[kind.code][i])]
        values = apportion(kind_units, [rng.randint(60, 140) for _ in owners], 1)
        for owner, value in zip(owners, values):
            serial = sum(1 for a in per_co[owner] if a.kind == kind.code) + 1
            per_co[owner].append(AssetPlan(f"ZC-{kind.code}-{serial:03d}", kind.code, value * UNIT_FEN))
    first_fund = next(i for i, a in enumerate(per_co[0]) if a.kind == "ZJ")
    fund = per_co[0][first_fund]
    per_co[0][first_fund] = AssetPlan(fund.asset_id, fund.kind, fund.appraised_fen + total % UNIT_FEN)
    return [tuple(assets) for assets in per_co]


def _month_end(day: date, months: int) -> date:
    """The last day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months + 1
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
