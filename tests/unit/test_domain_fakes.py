"""The dict-backed fake runs the application's decision function: it refuses what production refuses."""
from __future__ import annotations

import pytest

from ledger.domain.catalog import CATALOG
from ledger.domain.errors import Conflict
from tests.support.fakes import CUTOFF, ORG, new_co, refused


def test_fake_refuses_derived_types_unknown_references_and_duplicates() -> None:
    ledger = new_co()
    with refused("derived-event-type"):
        ledger.append("ResolutionAdopted", "R-1", {})
    with refused("reference-exists"):
        ledger.append("AssetRegistered", "A-1", {"batch_id": "B-9", "name": "x", "category": "resource",
                                                 "location": "y", "book_value": "1.00", "appraised_value": "1.00"})
    with pytest.raises(Conflict):
        ledger.append("OrganizationRegistered", ORG, {"name": "x", "street": "y", "qualification_cutoff": CUTOFF})


def test_every_catalogued_type_documents_its_payload() -> None:
    for name, event_type in CATALOG.items():
        assert event_type.description, name
        assert (event_type.payload.__doc__ or "").strip(), name
        event_type.payload.model_json_schema()


def test_fake_checks_versions_closed_periods_and_any_kind_references_as_production_does() -> None:
    """What the first fake had drifted away from: expected versions, closed periods, kind "*" citations."""
    from tests.support.fakes import with_asset

    ledger = new_co()
    asset = with_asset(ledger)
    with pytest.raises(Conflict, match="^version-conflict: "):
        ledger.append("AssetRevalued", asset, {"appraised_value": "210000.00", "reason": "复评"},
                      on="2024-02-01", expected_version=7)
    ledger.append("PeriodClosed", "PERIOD-2024-Q1", {"period": "2024-Q1", "view": "quarterly",
                                                     "known_at_position": 1, "tree_size": 1, "view_sha256": "0" * 64,
                                                     "checkpoint": ""}, on="2024-04-02")
    with pytest.raises(Conflict, match="^period-closed: "):
        ledger.append("InventoryBatchOpened", "B-2", {"title": "补充清查"}, on="2024-03-31")
    found = ledger.append("FindingRecorded", "F-1", {"period": "2024-Q1", "title": "门面房评估", "detail": "评估偏低",
                                                     "subject_ids": [asset]}, on="2024-04-03")
    assert found.entity.entity_id == "F-1"
