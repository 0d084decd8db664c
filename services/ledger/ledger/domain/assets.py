"""Asset inventory (清产核资): batches, assets, resources and funds, and their later changes.

Every asset is registered in an inventory batch whose results are publicly posted (张榜公布);
a posted batch takes no more assets. Later: revaluation, transfer inside the CO, disposal.
Disposal at or above the threshold is a major matter; a sale below the appraised value is flagged.
"""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.assets import (
    AssetDisposed,
    AssetRegistered,
    AssetRevalued,
    AssetTransferred,
    InventoryBatchOpened,
    InventoryPublished,
)
from ledger.domain.catalog import Context, EventType, Flag, register
from ledger.domain.chart import CHART
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.major_matters import check_major_matter
from ledger.domain.money import format_fen


class InventoryBatch(Entity):
    """One round of the inventory; its results are posted once."""

    KIND = "inventory_batch"

    @event("InventoryBatchOpened")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.title = data["title"]
        self.as_of = data.get("as_of")
        self.scope = data.get("scope")
        self.led_by = data.get("led_by")
        self.status = "open"
        self.published_on: str | None = None
        self.channels: list[str] = []

    @event("InventoryPublished")
    def publish(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.status = "published"
        self.published_on = envelope["effective_date"]
        self.channels = list(data["channels"])


class Asset(Entity):
    """A fixed asset, resource or fund of the CO."""

    KIND = "asset"

    @event("AssetRegistered")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.batch_id = data["batch_id"]
        self.name = data["name"]
        self.category = data["category"]
        self.location = data["location"]
        self.book_value = data["book_value"]
        self.appraised_value = data["appraised_value"]
        self.appraised_annual_rent: int | None = data.get("appraised_annual_rent")
        self.description = data.get("description")
        self.custodian: str | None = None
        self.status = "registered"
        self.disposed_on: str | None = None
        self.disposal_method: str | None = None
        self.books_against: str | None = data.get("books_against")
        self.useful_life_years: int | None = data.get("useful_life_years")
        self.salvage_value: int = data.get("salvage_value", 0)
        self.depreciated = 0
        self.depreciated_periods: list[str] = []

    @event("AssetDepreciated")
    def depreciate(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.depreciated += data["amount"]
        self.depreciated_periods.append(data["period"])

    @event("ConstructionCompleted")
    def complete(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.category = "fixed_asset"
        self.book_value = data["cost"]
        if "useful_life_years" in data:
            self.useful_life_years = data["useful_life_years"]

    @event("AssetRevalued")
    def revalue(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.appraised_value = data["appraised_value"]
        if "appraised_annual_rent" in data:
            self.appraised_annual_rent = data["appraised_annual_rent"]
        if "book_value" in data:
            self.book_value = data["book_value"]

    @event("AssetTransferred")
    def transfer(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.location = data.get("to_location", self.location)
        self.custodian = data.get("custodian", self.custodian)

    @event("AssetDisposed")
    def dispose(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.status = "disposed"
        self.disposed_on = envelope["effective_date"]
        self.disposal_method = data["method"]


def refuse_if_disposed(asset: Asset, what: str) -> None:
    """Nothing more happens to a disposed asset (rule ``asset-disposed``)."""
    if asset.status == "disposed":
        raise RuleViolation("asset-disposed", f"{what}: asset {asset.entity_id} ({asset.name}) was disposed of "
                            f"({asset.disposal_method}) on {asset.disposed_on}", asset_id=asset.entity_id,
                            disposed_on=asset.disposed_on)


def _open_batch(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: InventoryBatchOpened) -> Entity:
    return InventoryBatch(envelope=envelope, data=p.stored())


def _register(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: AssetRegistered) -> Entity:
    batch = cast(InventoryBatch, ctx.entity(p.batch_id))
    if batch.status == "published":
        raise RuleViolation("inventory-batch-published", f"batch {p.batch_id} ({batch.title}) was posted on "
                            f"{batch.published_on}; register {envelope['entity_id']} in a new batch",
                            batch_id=p.batch_id)
    if p.books_against is not None:
        check_opening_entry(envelope["entity_id"], p)
    return Asset(envelope=envelope, data=p.stored())


OPENING_AGAINST = ("liability", "equity")
"""Sections an opening entry may credit: 301 资本 usually, or a liability (e.g. 241 专项应付款)."""


def check_opening_entry(asset_id: str, p: AssetRegistered) -> None:
    """An opening entry books a fixed asset or construction at its book value against an equity or liability account."""
    acct = CHART.get(p.books_against or "")
    if acct is None or acct.section not in OPENING_AGAINST:
        raise RuleViolation("opening-entry-account", f"asset {asset_id}: the opening entry credits an equity or "
                            f"liability account of the 2023 chart (usually 301 资本); got {p.books_against}",
                            asset_id=asset_id, books_against=p.books_against)
    if p.category not in ("fixed_asset", "construction"):
        raise RuleViolation("opening-entry-category", f"asset {asset_id}: only fixed assets (151) and construction "
                            f"(153) are booked with their registration; a {p.category} is kept in the register "
                            "(备查簿) or booked by voucher", asset_id=asset_id, category=p.category)


def _revalue(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: AssetRevalued) -> Entity:
    asset = cast(Asset, entity)
    refuse_if_disposed(asset, "revaluation")
    asset.revalue(envelope=envelope, data=p.stored())
    return asset


def _transfer(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: AssetTransferred) -> Entity:
    asset = cast(Asset, entity)
    refuse_if_disposed(asset, "transfer")
    if p.to_location is None and p.custodian is None:
        raise RuleViolation("transfer-empty", f"transfer of {asset.entity_id} names neither a new location nor a "
                            "new custodian", asset_id=asset.entity_id)
    asset.transfer(envelope=envelope, data=p.stored())
    return asset


def _dispose(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: AssetDisposed) -> Entity:
    asset = cast(Asset, entity)
    on = envelope["effective_date"]
    refuse_if_disposed(asset, "disposal")
    for lease in ctx.citing(asset.entity_id, "lease"):
        if cast(Any, lease).active_on(on):
            raise RuleViolation("asset-leased", f"asset {asset.entity_id} is leased under {lease.entity_id} on {on}; "
                                "terminate the lease first", asset_id=asset.entity_id, lease_id=lease.entity_id)
    proceeds = p.proceeds or 0
    value = max(proceeds, asset.appraised_value, asset.book_value)
    check_major_matter(ctx, envelope, what=f"disposal of asset {asset.entity_id} ({asset.name})", amount_fen=value,
                       resolution_id=p.resolution_id, filing_id=p.filing_id, subject_ids=(asset.entity_id,))
    if p.method in ("sale", "transfer_out") and proceeds < asset.appraised_value:
        envelope["flags"].append(Flag(
            "below-value-disposal",
            f"asset {asset.entity_id} ({asset.name}) {p.method} for {format_fen(proceeds)} yuan, below its appraised "
            f"value {format_fen(asset.appraised_value)} yuan (低价转让)",
            {"asset_id": asset.entity_id, "proceeds": format_fen(proceeds),
             "appraised_value": format_fen(asset.appraised_value)},
        ).to_json())
    asset.dispose(envelope=envelope, data=p.stored())
    return asset


def _publish(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: InventoryPublished) -> Entity:
    batch = cast(InventoryBatch, entity)
    if batch.status == "published":
        raise RuleViolation("inventory-already-published", f"batch {batch.entity_id} was posted on "
                            f"{batch.published_on}", batch_id=batch.entity_id)
    if not ctx.citing(batch.entity_id, "asset"):
        raise RuleViolation("inventory-empty", f"batch {batch.entity_id} ({batch.title}) has no assets to post",
                            batch_id=batch.entity_id)
    batch.publish(envelope=envelope, data=p.stored())
    return batch


_MAJOR = {"resolution_id": "resolution", "filing_id": "major_matter"}

register(EventType("InventoryBatchOpened", InventoryBatch, InventoryBatchOpened, _open_batch, creates=True,
                   description="An inventory batch (清产核资) is opened."))
register(EventType("AssetRegistered", Asset, AssetRegistered, _register, creates=True,
                   references={"batch_id": "inventory_batch"},
                   description="An asset, resource or fund is registered in an open inventory batch."))
register(EventType("AssetRevalued", Asset, AssetRevalued, _revalue,
                   description="An asset is appraised again."))
register(EventType("AssetTransferred", Asset, AssetTransferred, _transfer,
                   description="An asset changes location or custodian inside the CO."))
register(EventType("AssetDisposed", Asset, AssetDisposed, _dispose, references=_MAJOR,
                   description="An asset is disposed of; at or above the threshold it is a major matter."))
register(EventType("InventoryPublished", InventoryBatch, InventoryPublished, _publish,
                   description="The results of an inventory batch are publicly posted (张榜公布)."))
