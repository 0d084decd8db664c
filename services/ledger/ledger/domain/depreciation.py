"""Depreciation (计提折旧) and the hand-over of construction (在建工程转固), as the bookkeeper posts them.

``AssetDepreciated`` books Dr 511 经营支出 (or 513 管理费用) Cr 152 累计折旧 for one month or one
year of a fixed asset; without an amount it is straight line: (cost - salvage value) over the
useful life, per month or per year, never beyond the depreciable amount (the last one takes what
is left). Land and other resources are not depreciated; construction is not depreciated until
handed over (``ConstructionCompleted``: Dr 151 Cr 153). Each period of an asset is depreciated once.
"""
from __future__ import annotations

from typing import Any, cast

from ledger.contracts.assets import AssetDepreciated, ConstructionCompleted
from ledger.domain.assets import Asset, refuse_if_disposed
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.money import format_fen
from ledger.domain.periods import Period


def straight_line(cost: int, salvage: int, life_years: int, months: int) -> int:
    """The depreciation of ``months`` months (1 or 12) in fen, rounded half up: (cost - salvage) * months / life."""
    return (2 * (cost - salvage) * months + life_years * 12) // (2 * life_years * 12)


def _depreciate(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: AssetDepreciated) -> Entity:
    asset, asset_id = cast(Asset, entity), envelope["entity_id"]
    refuse_if_disposed(asset, "depreciation")
    if asset.category != "fixed_asset":
        raise RuleViolation("depreciation-category", f"asset {asset_id} is a {asset.category}: only fixed assets are "
                            "depreciated (land and resources are not; construction once handed over)",
                            asset_id=asset_id, category=asset.category)
    period = Period.parse(p.period)
    if not period.contains(envelope["effective_date"]):
        raise RuleViolation("depreciation-date", f"depreciation of {p.period} is dated inside it; got "
                            f"{envelope['effective_date']}", asset_id=asset_id, period=p.period)
    if p.period in asset.depreciated_periods or any(
            Period.parse(done).contains(period.start) or period.contains(Period.parse(done).start)
            for done in asset.depreciated_periods):
        raise RuleViolation("depreciation-period-twice", f"asset {asset_id} is already depreciated for {p.period} "
                            "(or a month or year overlapping it)", asset_id=asset_id, period=p.period)
    depreciable = asset.book_value - asset.salvage_value - asset.depreciated
    amount = p.amount
    if amount is None:
        if not asset.useful_life_years:
            raise RuleViolation("depreciation-life-unknown", f"asset {asset_id} has no useful life: give the amount "
                                "or register useful_life_years", asset_id=asset_id)
        amount = min(depreciable, straight_line(asset.book_value, asset.salvage_value, asset.useful_life_years,
                                                period.months))
    if amount <= 0 or amount > depreciable:
        raise RuleViolation("depreciation-exceeds-cost", f"asset {asset_id}: {format_fen(amount)} yuan of depreciation "
                            f"with {format_fen(max(depreciable, 0))} yuan left to depreciate", asset_id=asset_id,
                            amount=format_fen(amount), depreciable=format_fen(max(depreciable, 0)))
    asset.depreciate(envelope=envelope, data={**p.stored(), "amount": amount})
    return asset


def _complete(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: ConstructionCompleted) -> Entity:
    asset, asset_id = cast(Asset, entity), envelope["entity_id"]
    refuse_if_disposed(asset, "hand-over")
    if asset.category != "construction":
        raise RuleViolation("completion-category", f"asset {asset_id} is a {asset.category}, not construction in "
                            "progress (在建工程)", asset_id=asset_id, category=asset.category)
    cost = asset.book_value if p.cost is None else p.cost
    asset.complete(envelope=envelope, data={**p.stored(), "cost": cost})
    return asset


register(EventType("AssetDepreciated", Asset, AssetDepreciated, _depreciate,
                   description="Depreciation of a fixed asset for a month or a year: Dr 511/513 Cr 152."))
register(EventType("ConstructionCompleted", Asset, ConstructionCompleted, _complete,
                   description="Construction in progress handed over: Dr 151 Cr 153, the asset becomes a fixed asset."))
