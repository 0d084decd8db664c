"""Asset inventory: batches, registration, posting, revaluation, transfer, disposal."""
from __future__ import annotations

import pytest

from ledger.domain.errors import RuleViolation
from tests.support.fakes import (
    FakeLedger,
    adopted_resolution,
    filed_matter,
    new_co,
    refused,
    with_asset,
    with_body,
)


def test_registered_asset_keeps_its_chinese_names_and_values_in_fen() -> None:
    ledger = new_co()
    with_asset(ledger)
    asset = ledger.entity("A-7")
    assert (asset.name, asset.location, asset.category) == ("临街门面房3号", "人民路88号", "fixed_asset")
    assert (asset.book_value, asset.appraised_value, asset.appraised_annual_rent) == (12_000_000, 20_000_000, 1_800_000)
    assert ledger.replayed("A-7").summary() == asset.summary()


def test_posted_batch_takes_no_more_assets_and_is_posted_once() -> None:
    ledger = new_co()
    ledger.append("InventoryBatchOpened", "B-1", {"title": "2024年度清产核资", "as_of": "2023-12-31"})
    with refused("inventory-empty"):
        ledger.append("InventoryPublished", "B-1", {"channels": ["村务公开栏"]})
    with_asset(ledger)
    batch = ledger.append("InventoryPublished", "B-1", {"channels": ["村务公开栏", "微信群"], "notice_days": 7},
                          on="2024-02-01").entity
    assert (batch.status, batch.channels) == ("published", ["村务公开栏", "微信群"])
    with refused("inventory-already-published"):
        ledger.append("InventoryPublished", "B-1", {"channels": ["网上"]})
    with refused("inventory-batch-published"):
        with_asset(ledger, "A-8")


def test_negative_values_are_refused_by_the_contract() -> None:
    ledger = new_co()
    ledger.append("InventoryBatchOpened", "B-1", {"title": "清产核资"})
    with pytest.raises(RuleViolation, match="^payload-schema: .*book_value"):
        ledger.append("AssetRegistered", "A-1", {"batch_id": "B-1", "name": "鱼塘", "category": "resource",
                                                 "location": "东湖", "book_value": "-1.00", "appraised_value": "0"})


def test_revaluation_and_transfer() -> None:
    ledger = new_co()
    with_asset(ledger)
    asset = ledger.append("AssetRevalued", "A-7", {"appraised_value": "260000.00", "appraised_annual_rent": "21000.00",
                                                   "appraiser": "临沂正信评估公司", "reason": "三年一评"}).entity
    assert (asset.appraised_value, asset.appraised_annual_rent, asset.book_value) == (26_000_000, 2_100_000, 12_000_000)
    with refused("transfer-empty"):
        ledger.append("AssetTransferred", "A-7", {"reason": "无"})
    moved = ledger.append("AssetTransferred", "A-7", {"custodian": "社区物业公司", "reason": "委托管理"}).entity
    assert (moved.custodian, moved.location) == ("社区物业公司", "人民路88号")


def disposal(**extra: str) -> dict[str, str]:
    return {"method": "sale", "proceeds": "210000.00", "counterparty": "郯城县城投公司", "reason": "旧城改造", **extra}


def test_major_disposal_needs_resolution_and_filing() -> None:
    ledger = with_body(new_co())
    with_asset(ledger)
    with refused("major-matter-resolution"):
        ledger.append("AssetDisposed", "A-7", disposal())
    adopted_resolution(ledger)
    filed_matter(ledger, subject_id="A-7")
    done = ledger.append("AssetDisposed", "A-7", disposal(resolution_id="R-1", filing_id="MM-1"), on="2025-01-02")
    assert (done.entity.status, done.flags) == ("disposed", [])
    with refused("asset-disposed"):
        ledger.append("AssetRevalued", "A-7", {"appraised_value": "1.00", "reason": "x"})


def test_sale_below_appraised_value_is_flagged() -> None:
    ledger: FakeLedger = with_body(new_co("flag"))
    with_asset(ledger)
    done = ledger.append("AssetDisposed", "A-7", disposal(proceeds="150000.00"))
    assert [f["rule"] for f in done.flags] == ["major-matter-resolution", "major-matter-filing", "below-value-disposal"]
    assert "低价转让" in done.flags[-1]["detail"]


def test_leased_asset_is_not_disposed() -> None:
    ledger = with_body(new_co("flag"))
    with_asset(ledger)
    ledger.append("LeaseSigned", "L-1", {"asset_id": "A-7", "lessee": "张三", "start": "2025-01-01",
                                         "end": "2025-12-31", "rent": {"amount": "1500.00", "period": "monthly"}})
    with refused("asset-leased"):
        ledger.append("AssetDisposed", "A-7", disposal(), on="2025-06-01")
    assert ledger.append("AssetDisposed", "A-7", disposal(), on="2026-01-01").entity.disposed_on == "2026-01-01"


@pytest.mark.parametrize("day", ["２０２４-12-02", "2024-12-02\n", "٢٠٢٤-12-02"])
def test_dates_are_ascii_digits_with_nothing_after(day: str) -> None:
    from ledger.contracts.base import DateFormatError, iso_date_only

    with pytest.raises(DateFormatError, match="date-format"):
        iso_date_only(day)
