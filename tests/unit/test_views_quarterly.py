"""The quarterly special audit view over a small inline ledger: 2025-Q1 of one CO (threshold 30,000 yuan)."""
from __future__ import annotations

import pytest

from tests.unit.test_views_support import Log, canonical, flag, json_kinds, view

MISSING_BOTH = [flag("major-matter-resolution"), flag("major-matter-filing")]


@pytest.fixture
def quarter() -> Log:
    log = Log()
    log.org()
    for asset_id, category, book in (("A1", "fixed_asset", 50_000_000), ("A2", "resource", 10_000_000),
                                     ("A4", "fixed_asset", 2_000_000), ("A5", "fixed_asset", 3_000_000)):
        log.asset(asset_id, "2023-02-01", category, book, appraised=book + 2_000_000)
    log.adopted("R1", "2024-12-20")
    log.adopted("R-BOARD", "2024-12-20", body="board")
    log.matter("MM1", "2024-12-22", "L1", filed_on="2024-12-28")
    log.matter("MM2", "2025-03-01", "T2")
    # L0: an old monthly lease expiring 2025-04-30, billed monthly, with arrears of every age
    log.lease("L0", "2023-03-20", "A2", "2023-04-01", "2025-04-30", 100_000, "monthly")
    for month in ("2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        log.invoice("L0", f"{month}-01", 100_000, f"{month}-01", f"{month}-28")
    log.receive("L0", "2024-08-05", 100_000)
    log.receive("L0", "2025-01-15", 100_000)
    # L1: signed in the quarter with its resolution and filing; amended (deposit) in the quarter
    log.lease("L1", "2025-01-01", "A1", "2025-01-01", "2027-12-31", 600_000, "quarterly",
              resolution_id="R1", filing_id="MM1")
    log.invoice("L1", "2025-01-01", 600_000, "2025-01-01", "2025-03-31", due="2025-01-10")
    log.receive("L1", "2025-01-08", 600_000)
    log.invoice("L1", "2025-03-25", 600_000, "2025-04-01", "2025-06-30", due="2025-04-01")
    log.add("LeaseAmended", "L1", "2025-03-01", {"applies_from": "2025-04-01", "deposit": 50_000,
                                                  "reason": "押金调整", "resolution_id": "R1", "filing_id": "MM1"})
    # A3 registered in the quarter, leased without resolution or filing (flagged)
    log.asset("A3", "2025-01-15", "fixed_asset", 8_000_000)
    log.lease("L2", "2025-02-01", "A3", "2025-02-01", "2028-01-31", 1_200_000, "yearly", flags=MISSING_BOTH)
    # L3: small, renewed then terminated in the quarter
    log.lease("L3", "2024-05-20", "A4", "2024-06-01", "2026-05-31", 50_000, "monthly")
    log.add("LeaseRenewed", "L3", "2025-01-20", {"end": "2027-05-31"})
    log.add("LeaseTerminated", "L3", "2025-03-15", {"reason": "mutual_agreement", "last_day": "2025-03-15"})
    # tenders: one under the threshold, one citing a board resolution and an unfiled report
    log.add("TenderAwarded", "T1", "2025-03-05", {"project": "屋顶维修", "contractor": "甲公司", "amount": 2_000_000})
    log.add("TenderAwarded", "T2", "2025-03-06", {"project": "市场改造", "contractor": "乙公司", "amount": 5_000_000,
                                                  "resolution_id": "R-BOARD", "filing_id": "MM2"},
            flags=MISSING_BOTH)
    # asset changes: revaluation, transfer, a sale below the appraised value with no filing
    log.add("AssetRevalued", "A2", "2025-02-10", {"appraised_value": 13_000_000, "book_value": 12_000_000,
                                                   "reason": "重新评估"})
    log.add("AssetTransferred", "A1", "2025-02-01", {"custodian": "李四", "reason": "换管理人"})
    log.add("AssetDisposed", "A5", "2025-03-20", {"method": "sale", "proceeds": 4_000_000, "reason": "出售",
                                                   "resolution_id": "R1"},
            flags=[flag("major-matter-filing"), flag("below-value-disposal")])
    log.lease("L9", "2025-04-02", "A4", "2025-05-01", "2026-04-30", 10_000, "monthly")  # after the quarter
    return log


def test_lease_roll_lists_active_new_renewed_amended_terminated_and_expiring_leases(quarter: Log) -> None:
    roll = view(quarter, "2025-Q1")["lease_roll"]
    assert [(r["lease_id"], r["ends_on"], r["days_to_expiry"]) for r in roll["active"]] == [
        ("L0", "2025-04-30", 30), ("L1", "2027-12-31", 1005), ("L2", "2028-01-31", 1036)]
    assert [(r["lease_id"], r["date"], r["start"], r["end"]) for r in roll["signed"]] == [
        ("L1", "2025-01-01", "2025-01-01", "2027-12-31"), ("L2", "2025-02-01", "2025-02-01", "2028-01-31")]
    assert [(r["lease_id"], r["previous_end"], r["end"]) for r in roll["renewed"]] == [
        ("L3", "2026-05-31", "2027-05-31")]
    assert [(r["lease_id"], r["applies_from"], r["changed"]) for r in roll["amended"]] == [
        ("L1", "2025-04-01", ["deposit"])]
    assert [(r["lease_id"], r["last_day"], r["reason"]) for r in roll["terminated"]] == [
        ("L3", "2025-03-15", "mutual_agreement")]
    assert [r["lease_id"] for r in roll["expiring"]] == ["L0"]
    l1 = roll["active"][1]
    assert (l1["deposit_fen"], l1["annual_rent_fen"], l1["contract_value_fen"]) == (50_000, 2_400_000, 7_200_000)


def test_rent_invoiced_and_received_per_lease_in_the_quarter(quarter: Log) -> None:
    rent = view(quarter, "2025-Q1")["rent"]
    assert [(r["lease_id"], r["invoiced_fen"], r["received_fen"]) for r in rent["leases"]] == [
        ("L0", 300_000, 100_000), ("L1", 1_200_000, 600_000), ("L2", 0, 0), ("L3", 0, 0)]
    assert rent["totals"] == {"invoiced_fen": 1_500_000, "received_fen": 700_000, "difference_fen": 800_000}


def test_arrears_age_at_the_period_end_with_receipts_settling_the_earliest_invoices(quarter: Log) -> None:
    arrears = view(quarter, "2025-Q1")["arrears"]
    assert arrears["leases"] == [
        {"lease_id": "L0", "asset_id": "A2", "lessee": "lessee of L0", "not_due_fen": 0,
         "days_0_30_fen": 100_000, "days_31_90_fen": 200_000, "days_91_180_fen": 200_000,
         "days_over_180_fen": 100_000, "arrears_fen": 600_000, "outstanding_fen": 600_000, "unapplied_fen": 0,
         "oldest_due": "2024-10-01"},
        {"lease_id": "L1", "asset_id": "A1", "lessee": "lessee of L1", "not_due_fen": 600_000,
         "days_0_30_fen": 0, "days_31_90_fen": 0, "days_91_180_fen": 0, "days_over_180_fen": 0,
         "arrears_fen": 0, "outstanding_fen": 600_000, "unapplied_fen": 0, "oldest_due": None},
    ]
    assert arrears["totals"]["arrears_fen"] == 600_000 and arrears["totals"]["outstanding_fen"] == 1_200_000


def test_major_matters_at_or_above_the_threshold_show_resolution_filing_or_the_missing_piece(quarter: Log) -> None:
    matters = view(quarter, "2025-Q1")["major_matters"]
    assert [(a["act"], a["entity_id"], a["value_fen"], a["missing"], a["flags"]) for a in matters["acts"]] == [
        ("lease_signed", "L1", 7_200_000, [], []),
        ("lease_signed", "L2", 3_600_000, ["resolution", "filing"],
         ["major-matter-filing", "major-matter-resolution"]),
        ("lease_amended", "L1", 7_200_000, [], []),
        ("tender_awarded", "T2", 5_000_000, ["resolution", "filing"],
         ["major-matter-filing", "major-matter-resolution"]),
        ("asset_disposed", "A5", 5_000_000, ["filing"], ["below-value-disposal", "major-matter-filing"]),
    ]
    tender = matters["acts"][3]
    assert tender["resolution"]["problem"] == ("resolution R-BOARD was adopted by the board, not the congress "
                                               "or representatives")
    assert tender["filing"] == {"filing_id": "MM2", "status": "reported", "filed_on": None, "filing_number": None,
                                "problem": "major matter MM2 was reported but not filed by the street"}
    l1 = matters["acts"][0]
    assert l1["resolution"] == {"resolution_id": "R1", "status": "adopted", "body": "congress",
                                "decided_on": "2024-12-20", "problem": None}
    assert l1["filing"]["filing_number"] == "BA-MM1" and l1["compliant"] is True
    assert [(f["entity_id"], f["rule"]) for f in matters["flags"]] == [
        ("L2", "major-matter-filing"), ("L2", "major-matter-resolution"), ("T2", "major-matter-filing"),
        ("T2", "major-matter-resolution"), ("A5", "major-matter-filing")]


def test_the_threshold_is_the_policy_in_force_when_the_act_was_appended(quarter: Log) -> None:
    quarter.add("MajorMatterPolicySet", "TC-001", "2025-03-30",
                {"policy": {"threshold": 100_000_000, "matter_codes": [], "mode": "flag"}})
    quarter.add("TenderAwarded", "T3", "2025-03-31", {"project": "道路", "contractor": "丙", "amount": 5_000_000})
    acts = view(quarter, "2025-Q1")["major_matters"]["acts"]
    assert "T3" not in [a["entity_id"] for a in acts] and "T2" in [a["entity_id"] for a in acts]


def test_asset_changes_of_the_quarter_in_date_order(quarter: Log) -> None:
    changes = view(quarter, "2025-Q1")["asset_changes"]
    assert [(c["date"], c["asset_id"], c["change"]) for c in changes] == [
        ("2025-01-15", "A3", "registered"), ("2025-02-01", "A1", "transferred"),
        ("2025-02-10", "A2", "revalued"), ("2025-03-20", "A5", "disposed")]
    assert changes[2]["details"]["previous_book_value_fen"] == 10_000_000
    assert changes[2]["details"]["book_value_fen"] == 12_000_000
    assert changes[3]["details"]["proceeds_fen"] == 4_000_000


def test_a_view_known_earlier_is_reproduced_from_the_log_prefix(quarter: Log) -> None:
    early = len(quarter.records) - 6
    assert canonical(view(quarter, "2025-Q1", upto=early)) != canonical(view(quarter, "2025-Q1"))
    assert canonical(view(quarter, "2025-Q1", upto=early)) == canonical(view(quarter, "2025-Q1", upto=early))
    assert json_kinds(view(quarter, "2025-Q1")) == []


def test_active_leases_show_the_rent_in_force_at_the_period_end(quarter: Log) -> None:
    quarter.add("LeaseAmended", "L2", "2025-03-10", {"applies_from": "2025-03-01", "reason": "调租",
                                                      "rent": {"amount": 1_500_000, "period": "yearly"}})
    quarter.add("LeaseAmended", "L2", "2025-03-11", {"applies_from": "2025-06-01", "reason": "调租",
                                                      "rent": {"amount": 1_800_000, "period": "yearly"}})
    l2 = next(r for r in view(quarter, "2025-Q1")["lease_roll"]["active"] if r["lease_id"] == "L2")
    assert (l2["rent"], l2["annual_rent_fen"]) == ({"amount_fen": 1_500_000, "period": "yearly"}, 1_500_000)
    assert l2["contract_value_fen"] == 1_200_000 + 1_500_000 + 3 * 1_800_000  # started years count whole
