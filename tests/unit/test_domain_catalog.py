"""The catalogue as a whole: every type of the domain, documented, and a story that replays exactly."""
from __future__ import annotations

from pydantic import BaseModel

from ledger.domain.catalog import CATALOG, DERIVED
from tests.support.fakes import (
    CUTOFF,
    FakeLedger,
    adopted_resolution,
    filed_matter,
    new_co,
    with_asset,
    with_body,
)

DOMAIN_TYPES = {
    "OrganizationRegistered", "GoverningBodyElected", "QualificationCutoffSet", "MajorMatterPolicySet",
    "InventoryBatchOpened", "AssetRegistered", "AssetRevalued", "AssetTransferred", "AssetDisposed",
    "InventoryPublished", "MemberQualified", "SharesAllotted", "SharesTransferred", "MemberRecordCorrected",
    "MeetingConvened", "MotionVoted", "MajorMatterReported", "MajorMatterFiled", "LeaseSigned", "LeaseAmended",
    "LeaseRenewed", "LeaseTerminated", "RentInvoiced", "RentReceived", "TenderAwarded", "VoucherPosted",
    "VoucherReversed", "DistributionDeclared", "DividendPaid",
}


def test_every_type_of_the_domain_is_catalogued_and_decisions_are_derived() -> None:
    assert DOMAIN_TYPES <= set(CATALOG)
    assert set(DERIVED) >= {"ResolutionAdopted", "ResolutionRejected"}
    assert not set(DERIVED) & set(CATALOG)


def test_every_field_of_the_domain_payloads_is_described() -> None:
    for name, event_type in CATALOG.items():
        if event_type.entity.__module__.endswith(".organization") and name != "GoverningBodyElected":
            continue
        for field_name, info in event_type.payload.model_fields.items():
            nested = isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
            assert nested or info.description, f"{name}.{field_name} has no description"


def story() -> FakeLedger:
    """A CO's year: inventory, members, a vote, a major lease with filing, rents, a reversal, a distribution."""
    ledger = with_body(new_co(), "representatives", seats=30, chair="王建国")
    with_asset(ledger)
    ledger.append("InventoryPublished", "B-1", {"channels": ["村务公开栏"]}, on="2024-02-01")
    for member_id, name in [("M-1", "张德福"), ("M-2", "张小芳")]:
        ledger.append("MemberQualified", member_id, {"name": name, "household_id": "H-001",
                                                     "basis": "household_registration"}, on=CUTOFF)
        ledger.append("SharesAllotted", member_id, {"shares": 5, "share_class": "人口股"}, on=CUTOFF)
    ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-2", "shares": 1, "reason": "within_household"},
                  on="2024-03-01")
    adopted_resolution(ledger)
    filed_matter(ledger, subject_id="L-1")
    ledger.append("LeaseSigned", "L-1", {"asset_id": "A-7", "lessee": "临沂市鑫源商贸有限公司", "start": "2025-01-01",
                                         "end": "2027-12-31", "rent": {"amount": "4500.00", "period": "quarterly"},
                                         "resolution_id": "R-1", "filing_id": "MM-1"}, on="2024-12-20")
    ledger.append("RentInvoiced", "L-1", {"amount": "4500.00", "period_start": "2025-01-01",
                                          "period_end": "2025-03-31"}, on="2025-01-01")
    ledger.append("RentReceived", "L-1", {"amount": "4500.00", "note": "逾期十天缴纳"}, on="2025-01-20")
    lines = [{"account": "102", "side": "debit", "amount": "4500.00"},
             {"account": "501", "side": "credit", "amount": "4500.00", "memo": "一季度租金"}]
    ledger.append("VoucherPosted", "V-1", {"description": "收租金", "lines": lines}, on="2025-01-20")
    ledger.append("VoucherReversed", "V-2", {"reverses": "V-1", "reason": "金额错误"}, on="2025-02-03")
    adopted_resolution(ledger, "R-D", on="2025-03-01", major=False)
    ledger.append("DistributionDeclared", "D-2024", {"resolution_id": "R-D", "fiscal_year": 2024,
                                                     "distributable": "10000.00", "reserve_fund": "3000.00",
                                                     "member_distribution": "5000.00", "rate_per_share": "500.00"},
                  on="2025-03-01")
    ledger.append("DividendPaid", "P-1", {"distribution_id": "D-2024", "member_id": "M-2", "amount": "3000.00"},
                  on="2025-03-05")
    ledger.append("LeaseTerminated", "L-1", {"reason": "mutual_agreement", "last_day": "2025-03-31"}, on="2025-03-20")
    return ledger


def test_every_entity_of_a_story_replays_to_the_same_state() -> None:
    ledger = story()
    for entity_id, entity in ledger.entities.items():
        assert ledger.replayed(entity_id).summary() == entity.summary(), entity_id


def test_stored_data_is_a_valid_payload_of_its_type() -> None:
    for event in story().log:
        name = type(event).__name__
        if name in DERIVED:
            continue
        payload = CATALOG[name].payload.from_stored(event.data)
        assert payload.stored() == event.data, name
