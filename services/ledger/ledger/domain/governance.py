"""Governance (三会): meetings of the governing bodies and the resolutions they vote.

A client records the meeting and the votes; whether the resolution is adopted is decided by the
ledger from the attendance, the votes and the body's quorum and majority rules (CO settings),
and recorded as the derived event ResolutionAdopted or ResolutionRejected.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.governance import BODY_NAMES, MeetingConvened, MotionVoted
from ledger.domain.catalog import Context, EventType, register, register_derived
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.organization import Organization

DECIDING_BODIES = ("congress", "representatives")
"""Bodies competent for major matters and for member qualification (成员大会, 成员代表大会)."""


class Meeting(Entity):
    """A meeting of one governing body: who could attend and who did."""

    KIND = "meeting"

    @event("MeetingConvened")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.body = data["body"]
        self.present = data["present"]
        self.seats = data["seats"]
        self.place = data.get("place")
        self.agenda = list(data.get("agenda", []))
        self.held_on = envelope["effective_date"]


class Resolution(Entity):
    """A motion voted at a meeting, and the ledger's decision on it."""

    KIND = "resolution"

    @event("MotionVoted")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.meeting_id = data["meeting_id"]
        self.motion = data["motion"]
        self.major = data.get("major", False)
        self.matter_code = data.get("matter_code")
        self.votes_for = data["votes_for"]
        self.votes_against = data["votes_against"]
        self.abstentions = data.get("abstentions", 0)
        self.body = ""
        self.status = "voted"
        self.decided_on: str | None = None

    @event("ResolutionAdopted")
    def adopt(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._decide("adopted", envelope, data)

    @event("ResolutionRejected")
    def reject(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._decide("rejected", envelope, data)

    def _decide(self, status: str, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.status = status
        self.body = data["body"]
        self.major = data["major"]
        self.decided_on = envelope["effective_date"]


def required(share: str, comparison: str, base: int) -> int:
    """The least count that is ``comparison`` ``share`` of ``base``.

    at_least 2/3 of 15 is 10 (以上 counts the share itself); more_than 1/2 of 10 is 6 (过半数).
    """
    exact = Fraction(share) * base
    if comparison == "more_than":
        return int(exact) + 1
    return -(-exact.numerator // exact.denominator)


def decide(rules: dict[str, Any], major: bool, seats: int, present: int, votes_for: int,
           votes_against: int) -> dict[str, Any]:
    """Apply a body's rules to a vote: the facts of the decision, with ``adopted`` and the failing ``reason``."""
    quorum = rules["quorum"]
    majority = rules["major" if major else "ordinary"]
    base = {"seats": seats, "present": present, "votes_cast": votes_for + votes_against}[majority["of"]]
    quorum_needed = required(quorum["share"], quorum["comparison"], seats)
    votes_needed = required(majority["share"], majority["comparison"], base)
    reason = None
    if present < quorum_needed:
        reason = "quorum-not-met"
    elif votes_for < votes_needed:
        reason = "majority-not-reached"
    return {
        "adopted": reason is None, "reason": reason, "major": major,
        "seats": seats, "present": present, "quorum_needed": quorum_needed, "quorum_rule": quorum,
        "votes_for": votes_for, "votes_needed": votes_needed, "majority_rule": majority,
    }


def resolution_problem(ctx: Context, resolution_id: str | None, *, on: str, major: bool = False,
                       bodies: tuple[str, ...] = DECIDING_BODIES) -> str | None:
    """Why ``resolution_id`` does not authorize an act dated ``on`` (None when it does)."""
    if not resolution_id:
        return "cites no resolution"
    found = ctx.entity(resolution_id)
    if not isinstance(found, Resolution):
        return f"{resolution_id} is not a resolution of this CO"
    if found.status != "adopted":
        return f"resolution {resolution_id} was {found.status}, not adopted"
    if found.body not in bodies:
        return (f"resolution {resolution_id} was adopted by the {BODY_NAMES[found.body]}; it needs the "
                + " or the ".join(BODY_NAMES[b] for b in bodies))
    if major and not found.major:
        return f"resolution {resolution_id} was not decided as a major matter (重大事项)"
    if found.decided_on and found.decided_on > on:
        return f"resolution {resolution_id} was adopted on {found.decided_on}, after {on}"
    return None


def _convene(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MeetingConvened) -> Entity:
    org = cast(Organization, ctx.organization())
    elected = org.bodies.get(p.body) or {}
    seats = p.seats or elected.get("seats")
    if seats is None:
        raise RuleViolation("meeting-seats-unknown", f"the {BODY_NAMES[p.body]} has not been elected; give its seats",
                            body=p.body)
    if elected and seats != elected["seats"]:
        raise RuleViolation("meeting-seats-mismatch", f"the meeting gives {seats} seats; the elected "
                            f"{BODY_NAMES[p.body]} has {elected['seats']}", body=p.body, seats=seats,
                            elected_seats=elected["seats"])
    if p.present > seats:
        raise RuleViolation("attendance-exceeds-seats", f"{p.present} present of {seats} seats", present=p.present,
                            seats=seats)
    term_end = elected.get("term_end")
    if term_end and term_end < envelope["effective_date"]:
        raise RuleViolation("body-term-expired", f"the term of the {BODY_NAMES[p.body]} ended on {term_end}",
                            body=p.body, term_end=term_end)
    return Meeting(envelope=envelope, data={**p.stored(), "seats": seats})


def _vote(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MotionVoted) -> Entity:
    org = cast(Organization, ctx.organization())
    meeting = cast(Meeting, ctx.entity(p.meeting_id))
    codes = org.policy.get("matter_codes") or []
    if p.matter_code is not None and codes and p.matter_code not in codes:
        raise RuleViolation("matter-code-unknown", f"major-matter code {p.matter_code!r} is not on the CO's list",
                            matter_code=p.matter_code)
    if envelope["effective_date"] < meeting.held_on:
        raise RuleViolation("vote-before-meeting", f"the vote is dated {envelope['effective_date']}, before meeting "
                            f"{p.meeting_id} on {meeting.held_on}", meeting_id=p.meeting_id)
    cast_votes = p.votes_for + p.votes_against + p.abstentions
    if cast_votes > meeting.present:
        raise RuleViolation("votes-exceed-attendance", f"{cast_votes} votes (for {p.votes_for}, against "
                            f"{p.votes_against}, abstaining {p.abstentions}) but {meeting.present} present at "
                            f"meeting {p.meeting_id}", votes=cast_votes, present=meeting.present)
    resolution = Resolution(envelope=envelope, data=p.stored())
    major = p.major or (p.matter_code is not None and p.matter_code in codes)
    facts = decide(org.body_rules(meeting.body), major, meeting.seats, meeting.present, p.votes_for, p.votes_against)
    decision = {"body": meeting.body, **{k: v for k, v in facts.items() if k != "adopted" and v is not None}}
    derived = {**envelope, "flags": []}
    if facts["adopted"]:
        resolution.adopt(envelope=derived, data=decision)
    else:
        resolution.reject(envelope=derived, data=decision)
    return resolution


register(EventType("MeetingConvened", Meeting, MeetingConvened, _convene, creates=True,
                   description="A meeting of a governing body (三会): body, seats, members present."))
register(EventType("MotionVoted", Resolution, MotionVoted, _vote, creates=True, references={"meeting_id": "meeting"},
                   description="The votes on a motion; the ledger records ResolutionAdopted or ResolutionRejected."))
register_derived("ResolutionAdopted", "decided by the ledger from the votes and the body's quorum and majority rules")
register_derived("ResolutionRejected", "decided by the ledger from the votes and the body's quorum and majority rules")
