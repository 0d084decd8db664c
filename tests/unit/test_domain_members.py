"""Members and shares: the cut-off, special cases, 两不增两不减."""
from __future__ import annotations

from typing import Any

from ledger.domain.members import shares_held
from tests.support.fakes import (
    CUTOFF,
    FakeLedger,
    adopted_resolution,
    new_co,
    refused,
    with_body,
)


def member(ledger: FakeLedger, member_id: str, name: str, household: str = "H-001", on: str = CUTOFF,
           **extra: Any) -> None:
    data = {"name": name, "household_id": household, "basis": "household_registration", **extra}
    ledger.append("MemberQualified", member_id, data, on=on)


def test_member_qualified_before_cutoff_with_shares() -> None:
    ledger = new_co()
    member(ledger, "M-1", "张德福", relation="户主", on="2020-06-01")
    ledger.append("SharesAllotted", "M-1", {"shares": 10, "share_class": "人口股"}, on=CUTOFF)
    assert ledger.entity("M-1").name == "张德福" and shares_held(ledger, "M-1") == 10
    assert ledger.replayed("M-1").allotted == 10


def test_qualification_after_cutoff_needs_an_adopted_resolution() -> None:
    ledger = with_body(new_co())
    with refused("qualification-after-cutoff"):
        member(ledger, "M-2", "李小明", basis="birth", on="2021-03-01")
    adopted_resolution(ledger, "R-Q", on="2021-02-20", major=False)
    member(ledger, "M-2", "李小明", basis="birth", on="2021-03-01", resolution_id="R-Q")
    assert ledger.entity("M-2").resolution_id == "R-Q"


def test_special_cases_need_a_resolution_even_before_cutoff() -> None:
    ledger = with_body(new_co())
    for basis in ("nominal_registration", "moved_away"):
        with refused("special-case-needs-resolution"):
            member(ledger, "M-3", "王芳", basis=basis, on="2020-05-01")
    adopted_resolution(ledger, "R-S", on="2020-04-20", major=False)
    member(ledger, "M-3", "王芳", basis="moved_away", on="2020-05-01", resolution_id="R-S")


def test_board_resolution_does_not_qualify_a_special_case() -> None:
    ledger = with_body(with_body(new_co()), "board", seats=5)
    adopted_resolution(ledger, "R-B", on="2020-04-20", body="board", seats=5)
    with refused("special-case-needs-resolution"):
        member(ledger, "M-3", "王芳", basis="nominal_registration", on="2020-05-01", resolution_id="R-B")


def test_shares_are_not_allotted_after_cutoff() -> None:
    ledger = new_co()
    member(ledger, "M-1", "张德福")
    with refused("shares-allotted-after-cutoff"):
        ledger.append("SharesAllotted", "M-1", {"shares": 1}, on="2021-01-01")


def household_of_two(ledger: FakeLedger) -> None:
    member(ledger, "M-1", "张德福")
    member(ledger, "M-2", "张小芳", relation="女儿")
    member(ledger, "M-9", "赵大勇", household="H-009")
    ledger.append("SharesAllotted", "M-1", {"shares": 10}, on=CUTOFF)


def test_shares_pass_within_the_household_or_by_inheritance() -> None:
    ledger = new_co()
    household_of_two(ledger)
    ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-2", "shares": 4, "reason": "within_household"},
                  on="2023-05-01")
    ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-9", "shares": 6, "reason": "inheritance",
                                               "note": "继承公证书(2023)郯证字第88号"}, on="2023-06-01")
    assert [shares_held(ledger, m) for m in ("M-1", "M-2", "M-9")] == [0, 4, 6]
    with refused("shares-insufficient"):
        ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-2", "shares": 1, "reason": "inheritance"})
    ledger.append("SharesTransferred", "M-2", {"to_member_id": "M-1", "shares": 4, "reason": "within_household"})
    assert shares_held(ledger, "M-1") == 4 and shares_held(ledger, "M-2") == 0


def test_shares_do_not_leave_the_household_except_by_inheritance() -> None:
    ledger = new_co()
    household_of_two(ledger)
    with refused("share-transfer-outside-household"):
        ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-9", "shares": 1, "reason": "within_household"})
    with refused("share-transfer-to-self"):
        ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-1", "shares": 1, "reason": "inheritance"})
    with refused("reference-exists"):
        ledger.append("SharesTransferred", "M-1", {"to_member_id": "M-404", "shares": 1, "reason": "inheritance"})


def test_record_correction() -> None:
    ledger = new_co()
    member(ledger, "M-1", "张德富")
    with refused("correction-empty"):
        ledger.append("MemberRecordCorrected", "M-1", {"reason": "无"})
    fixed = ledger.append("MemberRecordCorrected", "M-1", {"name": "张德福", "reason": "身份证姓名为准"}).entity
    assert (fixed.name, fixed.household_id) == ("张德福", "H-001")
