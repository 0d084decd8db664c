"""Governance: bodies, meetings, and the ledger's decision on each vote."""
from __future__ import annotations

import pytest

from ledger.domain.governance import decide, required
from tests.support.fakes import (
    ORG,
    adopted_resolution,
    new_co,
    refused,
    with_body,
)


def vote(ledger, resolution_id="R-1", meeting_id="MTG-1", **votes):  # type: ignore[no-untyped-def]
    data = {"meeting_id": meeting_id, "motion": "关于2024年度收益分配方案的决议", **votes}
    return ledger.append("MotionVoted", resolution_id, data, on="2025-03-01")


@pytest.mark.parametrize("share, comparison, base, least", [
    ("2/3", "at_least", 15, 10), ("2/3", "at_least", 16, 11), ("1/2", "more_than", 10, 6),
    ("1/2", "more_than", 7, 4), ("2/3", "more_than", 9, 7),
])
def test_required_counts(share: str, comparison: str, base: int, least: int) -> None:
    assert required(share, comparison, base) == least


def test_body_elected_with_default_rules_of_the_law() -> None:
    ledger = with_body(new_co(), "board", seats=5, members=["王建国", "李秀英", "张伟", "刘洋", "陈静"], chair="王建国")
    board = ledger.organization().bodies["board"]
    assert board["members"][0] == "王建国" and board["seats"] == 5
    assert board["rules"]["major"] == {"share": "1/2", "of": "seats", "comparison": "more_than"}
    assert ledger.replayed(ORG).bodies == ledger.organization().bodies


def test_board_of_eight_is_refused() -> None:
    with refused("board-size"):
        with_body(new_co(), "board", seats=8)


def test_more_names_than_seats_is_refused() -> None:
    with refused("body-members-exceed-seats"):
        with_body(new_co(), "supervisory", seats=1, members=["赵敏", "孙丽"])


def test_term_ending_before_election_is_refused() -> None:
    with refused("body-term-invalid"):
        with_body(new_co(), "board", seats=5, term_end="2020-12-31")


def test_congress_adopts_a_major_matter_with_two_thirds_of_all_members() -> None:
    ledger = with_body(new_co(), "congress", seats=300)
    ledger.append("MeetingConvened", "MTG-1", {"body": "congress", "present": 210, "place": "社区会议室"}, on="2025-03-01")
    done = vote(ledger, major=True, votes_for=200, votes_against=10)
    assert done.types == ["MotionVoted", "ResolutionAdopted"]
    resolution = done.entity
    assert (resolution.status, resolution.body, resolution.decided_on) == ("adopted", "congress", "2025-03-01")
    decision = done.events[1].data
    assert (decision["votes_needed"], decision["quorum_needed"]) == (200, 200)
    assert ledger.replayed("R-1").status == "adopted"


def test_major_matter_short_of_two_thirds_of_all_members_is_rejected() -> None:
    ledger = with_body(new_co(), "congress", seats=300)
    ledger.append("MeetingConvened", "MTG-1", {"body": "congress", "present": 250}, on="2025-03-01")
    done = vote(ledger, major=True, votes_for=199, votes_against=51)
    assert done.types == ["MotionVoted", "ResolutionRejected"]
    assert done.events[1].data["reason"] == "majority-not-reached"
    assert done.entity.status == "rejected"


def test_ordinary_matter_needs_more_than_half_of_all_members() -> None:
    ledger = with_body(new_co(), "congress", seats=300)
    ledger.append("MeetingConvened", "MTG-1", {"body": "congress", "present": 200}, on="2025-03-01")
    assert vote(ledger, votes_for=151, votes_against=49).entity.status == "adopted"
    assert vote(ledger, "R-2", votes_for=150, votes_against=50).entity.status == "rejected"


def test_meeting_without_quorum_rejects_even_unanimous_votes() -> None:
    ledger = with_body(new_co(), "representatives", seats=30)
    ledger.append("MeetingConvened", "MTG-1", {"body": "representatives", "present": 19}, on="2025-03-01")
    done = vote(ledger, votes_for=19, votes_against=0)
    assert done.events[1].data["reason"] == "quorum-not-met"


def test_listed_matter_code_makes_the_motion_major() -> None:
    ledger = with_body(new_co(codes=["资产租赁", "工程招标"]), "representatives", seats=30)
    ledger.append("MeetingConvened", "MTG-1", {"body": "representatives", "present": 30}, on="2025-03-01")
    done = vote(ledger, matter_code="资产租赁", votes_for=19, votes_against=11)
    assert done.entity.status == "rejected" and done.entity.major is True
    with refused("matter-code-unknown"):
        vote(ledger, "R-2", matter_code="宅基地", votes_for=30, votes_against=0)


def test_co_settings_override_the_default_rules() -> None:
    rules = {"quorum": {"share": "1/2", "comparison": "more_than"},
             "ordinary": {"share": "1/2", "of": "votes_cast", "comparison": "more_than"},
             "major": {"share": "3/4", "of": "present"}}
    ledger = with_body(new_co(), "representatives", seats=30, rules=rules)
    ledger.append("MeetingConvened", "MTG-1", {"body": "representatives", "present": 16}, on="2025-03-01")
    assert vote(ledger, votes_for=5, votes_against=4, abstentions=7).entity.status == "adopted"
    assert vote(ledger, "R-2", major=True, votes_for=12, votes_against=4).entity.status == "adopted"
    assert vote(ledger, "R-3", major=True, votes_for=11, votes_against=5).entity.status == "rejected"


def test_board_decides_by_majority_of_all_seats() -> None:
    facts = decide({"quorum": {"share": "1/2", "comparison": "more_than"},
                    "ordinary": {"share": "1/2", "of": "seats", "comparison": "more_than"},
                    "major": {"share": "1/2", "of": "seats", "comparison": "more_than"}},
                   major=False, seats=5, present=4, votes_for=3, votes_against=1)
    assert facts["adopted"] and facts["votes_needed"] == 3


def test_meeting_rules() -> None:
    ledger = with_body(new_co(), "board", seats=5)
    with refused("meeting-seats-unknown"):
        ledger.append("MeetingConvened", "MTG-1", {"body": "congress", "present": 100})
    with refused("meeting-seats-mismatch"):
        ledger.append("MeetingConvened", "MTG-1", {"body": "board", "present": 5, "seats": 7})
    with refused("attendance-exceeds-seats"):
        ledger.append("MeetingConvened", "MTG-1", {"body": "board", "present": 6})
    meeting = ledger.append("MeetingConvened", "MTG-1", {"body": "board", "present": 5}).entity
    assert meeting.seats == 5 and ledger.log[-1].data["seats"] == 5


def test_meeting_after_the_body_term_is_refused() -> None:
    ledger = with_body(new_co(), "board", seats=5, term_end="2023-12-31")
    with refused("body-term-expired"):
        ledger.append("MeetingConvened", "MTG-1", {"body": "board", "present": 5}, on="2024-01-02")


def test_votes_beyond_attendance_and_votes_before_the_meeting_are_refused() -> None:
    ledger = with_body(new_co(), "representatives", seats=30)
    ledger.append("MeetingConvened", "MTG-1", {"body": "representatives", "present": 25}, on="2025-03-01")
    with refused("votes-exceed-attendance"):
        vote(ledger, votes_for=20, votes_against=5, abstentions=1)
    with refused("vote-before-meeting"):
        ledger.append("MotionVoted", "R-1", {"meeting_id": "MTG-1", "motion": "x", "votes_for": 20,
                                             "votes_against": 0}, on="2025-02-28")


def test_clients_cannot_assert_a_decision() -> None:
    ledger = new_co()
    adopted_resolution(ledger)
    with refused("derived-event-type"):
        ledger.append("ResolutionAdopted", "R-2", {})
