"""Payload contracts of the asset inventory (清产核资) and later changes to assets."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from ledger.contracts.base import EntityId, Payload, Text
from ledger.contracts.major_matters import NonNegativeMoney

AssetCategory = Literal["fixed_asset", "construction", "resource", "fund"]
"""fixed_asset 固定资产 (buildings, shop fronts, markets), construction 在建工程 (works not yet handed over),
resource 资源性资产 (land, ponds, forest), fund 资金 (cash, bank)."""

AccountCode = Annotated[str, Field(pattern=r"^[0-9]{3,10}$", description="An account code of the 2023 chart.")]


class InventoryBatchOpened(Payload):
    """An inventory batch (清产核资批次) is opened: the assets registered in it are posted together."""

    title: Text = Field(description="The batch's name, e.g. 2024年度清产核资.")
    as_of: date | None = Field(default=None, description="The inventory's reference date (清产核资基准日).")
    scope: Text | None = Field(default=None, description="What it covers, e.g. 经营性资产 or 第三村民小组.")
    led_by: Text | None = Field(default=None, description="Who led the inventory (清产核资小组).")


class AssetRegistered(Payload):
    """An asset, resource or fund is registered with its book and appraised values."""

    batch_id: EntityId = Field(description="The inventory batch it is registered in.")
    name: Text = Field(description="The asset's name, e.g. 临街门面房3号 or 东湖鱼塘.")
    category: AssetCategory = Field(
        description="fixed_asset 固定资产 (buildings, shop fronts, markets); construction 在建工程; resource "
        "资源性资产 (land, ponds, forest); fund 资金 (cash, bank)."
    )
    location: Text = Field(description="Where it is (坐落), e.g. 人民路88号.")
    book_value: NonNegativeMoney = Field(description="Book value (账面价值) in yuan.")
    appraised_value: NonNegativeMoney = Field(description="Appraised value (评估价值) in yuan.")
    appraised_annual_rent: NonNegativeMoney | None = Field(
        default=None, description="Appraised annual rent (评估年租金) in yuan; leases below it are flagged as below value."
    )
    description: Text | None = Field(default=None, description="Size, condition, certificates (面积, 权证).")
    books_against: AccountCode | None = Field(
        default=None, description="Book the opening entry (建账) with the registration: Dr 151 固定资产 (153 在建工程 for "
        "construction) Cr this account, usually 301 资本; omit to book it by voucher.")
    useful_life_years: int | None = Field(default=None, ge=1, le=100,
                                          description="Useful life for straight-line depreciation (折旧年限).")
    salvage_value: NonNegativeMoney | None = Field(default=None, description="Expected salvage value (预计净残值), yuan.")


class AssetDepreciated(Payload):
    """Depreciation of a fixed asset for a month or a year (计提折旧): Dr 511 经营支出 or 513 管理费用, Cr 152 累计折旧."""

    voucher: EntityId = Field(description="The voucher number it is booked under, e.g. ZJ-2025-03.")
    period: str = Field(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", description="The month (2025-03) or year (2025).")
    amount: NonNegativeMoney | None = Field(default=None, description="Yuan; default straight line: (cost - salvage) "
                                            "/ useful life, for a month or a year.")
    expense_account: Literal["511", "513"] = Field(default="511", description="511 经营支出 for assets leased out or "
                                                   "operated, 513 管理费用 for the CO's own offices.")


class ConstructionCompleted(Payload):
    """Construction in progress is handed over (在建工程转固): Dr 151 固定资产, Cr 153 在建工程."""

    voucher: EntityId = Field(description="The voucher number it is booked under.")
    cost: NonNegativeMoney | None = Field(default=None, description="The cost transferred, yuan; default the book value.")
    useful_life_years: int | None = Field(default=None, ge=1, le=100, description="Useful life from now (折旧年限).")


class AssetRevalued(Payload):
    """An asset is appraised again (重新评估)."""

    appraised_value: NonNegativeMoney = Field(description="The new appraised value in yuan.")
    appraised_annual_rent: NonNegativeMoney | None = Field(
        default=None, description="The new appraised annual rent in yuan."
    )
    book_value: NonNegativeMoney | None = Field(
        default=None, description="The new book value in yuan, when it changes."
    )
    appraiser: Text | None = Field(default=None, description="Who appraised it (评估机构).")
    reason: Text = Field(description="Why it was revalued.")


class AssetTransferred(Payload):
    """An asset changes place or custodian inside the CO (调拨); a transfer out of the CO is a disposal."""

    to_location: Text | None = Field(default=None, description="Its new location.")
    custodian: Text | None = Field(default=None, description="Who manages it from now on (管理人).")
    reason: Text = Field(description="Why it was transferred.")


class AssetDisposed(Payload):
    """An asset leaves the CO's books: sold, transferred out, scrapped, demolished or expropriated."""

    method: Literal["sale", "transfer_out", "scrapped", "demolished", "expropriated", "other"] = Field(
        description="sale 出售, transfer_out 转让, scrapped 报废, demolished 拆除, expropriated 征收, other."
    )
    proceeds: NonNegativeMoney | None = Field(default=None, description="What the CO received, in yuan (处置收入).")
    counterparty: Text | None = Field(default=None, description="Buyer or expropriating authority.")
    reason: Text = Field(description="Why it was disposed of.")
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution deciding the disposal.")
    filing_id: EntityId | None = Field(default=None, description="The filed major-matter report (重大事项备案).")


class InventoryPublished(Payload):
    """The results of an inventory batch are publicly posted (张榜公布)."""

    channels: list[Text] = Field(min_length=1, description="Where it was posted, e.g. 村务公开栏, 微信群, 网上公开平台.")
    notice_days: int | None = Field(default=None, ge=1, description="How many days it stays posted (公示期).")
    note: Text | None = Field(default=None, description="Remarks, objections received.")
