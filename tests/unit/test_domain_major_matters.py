"""Major matters: the report, the street's filing, and what a filing must be to count."""
from __future__ import annotations

from tests.support.fakes import (
    adopted_resolution,
    filed_matter,
    new_co,
    refused,
    with_body,
)


def test_report_then_filing() -> None:
    ledger = with_body(new_co())
    adopted_resolution(ledger)
    reported = ledger.append("MajorMatterReported", "MM-1", {
        "matter_code": "资产租赁", "subject": "出租临街门面房3号", "subject_id": "L-1", "amount": "54000.00",
        "resolution_id": "R-1", "reported_to": "郯城街道办事处"}, on="2024-12-03")
    assert (reported.entity.status, reported.entity.amount) == ("reported", 5_400_000)
    filed = ledger.append("MajorMatterFiled", "MM-1", {"filed_by": "郯城街道农经站", "filing_number": "备2024-17"},
                          on="2024-12-05")
    assert (filed.entity.status, filed.entity.filed_by, filed.entity.filed_on) == ("filed", "郯城街道农经站", "2024-12-05")
    assert ledger.replayed("MM-1").subject == "出租临街门面房3号"


def test_filing_twice_or_before_the_report_is_refused() -> None:
    ledger = with_body(new_co())
    adopted_resolution(ledger)
    ledger.append("MajorMatterReported", "MM-1", {"matter_code": "资产租赁", "subject": "门面房"}, on="2024-12-03")
    with refused("filing-before-report"):
        ledger.append("MajorMatterFiled", "MM-1", {"filed_by": "街道"}, on="2024-12-02")
    ledger.append("MajorMatterFiled", "MM-1", {"filed_by": "街道"}, on="2024-12-04")
    with refused("major-matter-already-filed"):
        ledger.append("MajorMatterFiled", "MM-1", {"filed_by": "街道"}, on="2024-12-05")


def test_unlisted_code_is_refused_when_the_co_keeps_a_list() -> None:
    ledger = new_co(codes=["资产租赁", "工程招标"])
    with refused("matter-code-unknown"):
        ledger.append("MajorMatterReported", "MM-1", {"matter_code": "借款担保", "subject": "为企业担保"})


def test_report_citing_a_rejected_resolution_is_refused() -> None:
    ledger = with_body(new_co())
    ledger.append("MeetingConvened", "MTG-1", {"body": "representatives", "present": 30}, on="2024-12-01")
    ledger.append("MotionVoted", "R-1", {"meeting_id": "MTG-1", "motion": "出租", "votes_for": 10,
                                         "votes_against": 20}, on="2024-12-01")
    with refused("resolution-not-adopted"):
        ledger.append("MajorMatterReported", "MM-1", {"matter_code": "资产租赁", "subject": "门面房",
                                                      "resolution_id": "R-1"}, on="2024-12-02")


def test_helper_builds_a_filed_matter() -> None:
    ledger = with_body(new_co())
    adopted_resolution(ledger)
    assert ledger.entity(filed_matter(ledger)).status == "filed"
