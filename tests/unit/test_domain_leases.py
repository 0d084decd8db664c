"""Leases: threshold rule (reject / flag), below-value flag, disposed assets, overlaps, changes."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.fakes import (
    FakeLedger,
    adopted_resolution,
    filed_matter,
    new_co,
    refused,
    with_asset,
    with_body,
)

LEASE = {"asset_id": "A-7", "lessee": "临沂市鑫源商贸有限公司", "start": "2025-01-01", "end": "2027-12-31",
         "rent": {"amount": "1500.00", "period": "monthly"}, "deposit": "3000.00", "purpose": "超市"}
"""54,000 yuan over three years: a major matter at the default 30,000 threshold."""


def co(mode: str = "reject") -> FakeLedger:
    ledger = with_body(new_co(mode))
    with_asset(ledger)
    return ledger


def approved(ledger: FakeLedger) -> dict[str, Any]:
    adopted_resolution(ledger)
    filed_matter(ledger, subject_id="L-1")
    return {**LEASE, "resolution_id": "R-1", "filing_id": "MM-1"}


def test_lease_with_resolution_and_filing_is_signed() -> None:
    ledger = co()
    done = ledger.append("LeaseSigned", "L-1", approved(ledger), on="2024-12-20")
    lease = done.entity
    assert done.flags == [] and lease.contract_value() == 5_400_000
    assert (lease.lessee, lease.deposit, lease.status) == ("临沂市鑫源商贸有限公司", 300_000, "active")
    assert ledger.replayed("L-1").lessee == "临沂市鑫源商贸有限公司"


@pytest.mark.parametrize("missing, rule", [("resolution_id", "major-matter-resolution"),
                                           ("filing_id", "major-matter-filing")])
def test_major_lease_missing_resolution_or_filing_is_refused(missing: str, rule: str) -> None:
    ledger = co()
    data = approved(ledger)
    del data[missing]
    with refused(rule):
        ledger.append("LeaseSigned", "L-1", data, on="2024-12-20")


def test_major_lease_is_flagged_in_flag_mode() -> None:
    ledger = co("flag")
    done = ledger.append("LeaseSigned", "L-1", LEASE, on="2024-12-20")
    assert [f["rule"] for f in done.flags] == ["major-matter-resolution", "major-matter-filing"]
    assert "54000.00" in done.flags[0]["detail"] and done.flags[0]["values"]["threshold"] == "30000.00"
    assert done.events[0].envelope["flags"] == done.flags


def test_lease_below_threshold_needs_nothing() -> None:
    ledger = co()
    small = {**LEASE, "end": "2025-12-31"}
    assert ledger.append("LeaseSigned", "L-1", small).flags == []


def test_resolution_must_be_adopted_as_major_by_the_representatives_before_signing() -> None:
    ledger = co()
    with_body(ledger, "board", seats=5)
    adopted_resolution(ledger, "R-B", body="board", seats=5)
    adopted_resolution(ledger, "R-O", major=False)
    adopted_resolution(ledger, "R-L", on="2025-01-05")
    filed_matter(ledger, resolution_id=None)
    for resolution_id, why in [("R-B", "理事会"), ("R-O", "major matter"), ("R-L", "after")]:
        with pytest.raises(Exception, match=why):
            ledger.append("LeaseSigned", "L-1", {**LEASE, "resolution_id": resolution_id, "filing_id": "MM-1"},
                          on="2024-12-20")


def test_filing_not_yet_filed_or_about_another_subject_does_not_count() -> None:
    ledger = co()
    adopted_resolution(ledger)
    ledger.append("MajorMatterReported", "MM-1", {"matter_code": "资产租赁", "subject": "门面房"}, on="2024-12-05")
    with refused("major-matter-filing"):
        ledger.append("LeaseSigned", "L-1", {**LEASE, "resolution_id": "R-1", "filing_id": "MM-1"}, on="2024-12-20")
    filed_matter(ledger, "MM-2", subject_id="A-99")
    with pytest.raises(Exception, match="concerns A-99"):
        ledger.append("LeaseSigned", "L-1", {**LEASE, "resolution_id": "R-1", "filing_id": "MM-2"}, on="2024-12-20")


def test_rent_below_appraised_rent_is_flagged_even_when_approved() -> None:
    ledger = co()
    data = {**approved(ledger), "rent": {"amount": "1400.00", "period": "monthly"}}
    done = ledger.append("LeaseSigned", "L-1", data, on="2024-12-20")
    assert [f["rule"] for f in done.flags] == ["below-value-lease"]
    assert "16800.00 a year" in done.flags[0]["detail"] and "18000.00" in done.flags[0]["detail"]


def test_lease_of_a_disposed_asset_or_a_fund_is_refused() -> None:
    ledger = co()
    with_asset(ledger, "F-1", category="fund", appraised_annual_rent=None)
    with refused("asset-not-leasable"):
        ledger.append("LeaseSigned", "L-1", {**LEASE, "asset_id": "F-1", "end": "2025-06-30"})
    ledger = co("flag")
    ledger.append("AssetDisposed", "A-7", {"method": "demolished", "reason": "棚户区改造"}, on="2024-06-01")
    with refused("asset-disposed"):
        ledger.append("LeaseSigned", "L-1", LEASE, on="2024-12-20")


def test_overlapping_lease_of_the_same_asset_is_refused_until_the_first_ends() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    second = {**LEASE, "lessee": "张三", "start": "2025-07-01", "end": "2026-06-30"}
    with refused("lease-overlap"):
        ledger.append("LeaseSigned", "L-2", second, on="2025-06-20")
    ledger.append("LeaseTerminated", "L-1", {"reason": "mutual_agreement", "last_day": "2025-06-30"}, on="2025-06-25")
    assert ledger.append("LeaseSigned", "L-2", second, on="2025-06-26").entity.start == "2025-07-01"


def test_term_ending_before_it_starts_is_refused() -> None:
    with refused("lease-term-invalid"):
        co().append("LeaseSigned", "L-1", {**LEASE, "end": "2024-12-31"})


def test_amendment_lowering_rent_is_flagged_and_recomputes_contract_value() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    done = ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-07-01", "reason": "疫情减租",
                                                  "rent": {"amount": "1000.00", "period": "monthly"}}, on="2025-06-20")
    assert [f["rule"] for f in done.flags] == ["below-value-lease"]
    assert done.entity.contract_value() == 6 * 150_000 + 6 * 100_000
    assert ledger.replayed("L-1").schedule == done.entity.schedule


def test_amendment_making_the_lease_major_needs_approval() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    with refused("major-matter-resolution"):
        ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-03-01", "end": "2027-12-31", "reason": "延长"},
                      on="2025-02-20")


def test_amendment_rules() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    with refused("amendment-empty"):
        ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-03-01", "reason": "无"})
    with refused("amendment-outside-term"):
        ledger.append("LeaseAmended", "L-1", {"applies_from": "2026-03-01", "lessee": "李四", "reason": "更名"})
    assert ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-03-01", "lessee": "临沂鑫源商贸",
                                                 "reason": "企业更名"}).entity.lessee == "临沂鑫源商贸"


def test_renewal_extends_the_term_and_is_valued_on_its_own() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    done = ledger.append("LeaseRenewed", "L-1", {"end": "2026-12-31", "rent": {"amount": "1600.00",
                                                                                "period": "monthly"}}, on="2025-12-01")
    assert done.entity.end == "2026-12-31" and done.flags == []
    assert done.entity.contract_value() == 12 * 150_000 + 12 * 160_000
    with refused("renewal-end-invalid"):
        ledger.append("LeaseRenewed", "L-1", {"end": "2026-06-30"}, on="2025-12-02")
    with refused("major-matter-resolution"):
        ledger.append("LeaseRenewed", "L-1", {"end": "2028-12-31"}, on="2025-12-02")


def test_termination_rules() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-12-31"}, on="2024-12-20")
    with refused("lease-termination-date-invalid"):
        ledger.append("LeaseTerminated", "L-1", {"reason": "lessee_breach", "last_day": "2024-12-31"})
    done = ledger.append("LeaseTerminated", "L-1", {"reason": "expired"}, on="2026-01-05")
    assert done.entity.terminated_on == "2025-12-31" and done.events[0].data["last_day"] == "2025-12-31"
    with refused("lease-terminated"):
        ledger.append("LeaseTerminated", "L-1", {"reason": "expired"}, on="2026-01-06")
    with refused("lease-terminated"):
        ledger.append("LeaseRenewed", "L-1", {"end": "2026-12-31"}, on="2026-01-06")


def test_tender_at_threshold_needs_approval_or_is_flagged() -> None:
    tender = {"project": "农贸市场屋顶维修工程", "contractor": "郯城县建安公司", "amount": "30000.00", "bidders": 3}
    with refused("major-matter-resolution"):
        co().append("TenderAwarded", "T-1", tender)
    flagged = co("flag").append("TenderAwarded", "T-1", tender)
    assert [f["rule"] for f in flagged.flags] == ["major-matter-resolution", "major-matter-filing"]
    small = co().append("TenderAwarded", "T-2", {**tender, "amount": "29999.99", "asset_id": "A-7"})
    assert small.entity.contractor == "郯城县建安公司" and small.flags == []
    ledger = co()
    adopted_resolution(ledger)
    filed_matter(ledger, subject_id="T-1")
    assert ledger.append("TenderAwarded", "T-1", {**tender, "resolution_id": "R-1", "filing_id": "MM-1"}).flags == []


def test_extending_into_the_next_lease_of_the_asset_is_refused() -> None:
    ledger = co()
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-06-30"}, on="2024-12-20")
    ledger.append("LeaseSigned", "L-2", {**LEASE, "lessee": "张三", "start": "2025-07-01", "end": "2025-12-31"},
                  on="2024-12-21")
    with refused("lease-overlap"):
        ledger.append("LeaseRenewed", "L-1", {"end": "2025-09-30"}, on="2025-06-01")
    with refused("lease-overlap"):
        ledger.append("LeaseAmended", "L-1", {"applies_from": "2025-06-01", "end": "2025-07-31", "reason": "延期"},
                      on="2025-06-01")


def test_no_new_lease_after_the_asset_is_expropriated() -> None:
    ledger = co("flag")
    ledger.append("LeaseSigned", "L-1", {**LEASE, "end": "2025-06-30"}, on="2024-12-20")
    ledger.append("LeaseTerminated", "L-1", {"reason": "expropriation", "last_day": "2025-03-31"}, on="2025-03-31")
    ledger.append("AssetDisposed", "A-7", {"method": "expropriated", "reason": "道路拓宽"}, on="2025-04-01")
    with refused("asset-disposed"):
        ledger.append("LeaseSigned", "L-3", {**LEASE, "start": "2025-05-01", "end": "2025-06-30"}, on="2025-04-02")
