"""Governance behind the acts: meetings that reach quorum, motions that pass, major matters filed.

Votes are drawn so that the ledger adopts them under the body's default rules (the 2024 law, as in
``contracts.governance.DEFAULT_RULES``): the ledger, not the generator, records ResolutionAdopted.
Major matters of a month share one representative meeting held early in the month before they are
needed; each is reported to the street and filed there before the lease or tender that cites it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.contracts.governance import DEFAULT_RULES
from ledger.domain.governance import required
from ledger.seed.chronicle import Chronicle, days, yuan


def needed(body: str, seats: int, major: bool) -> tuple[int, int]:
    """(members present, votes for) the body's rules require of ``seats``."""
    rules = DEFAULT_RULES[body]
    majority = rules["major" if major else "ordinary"]
    return (required(rules["quorum"]["share"], rules["quorum"]["comparison"], seats),
            required(majority["share"], majority["comparison"], seats))


@dataclass
class Meeting:
    """A meeting convened in the chronicle; its motions are voted on the same day."""

    chronicle: Chronicle
    meeting_id: str
    body: str
    on: date
    present: int
    data: dict[str, Any]

    def vote(self, motion: str, *, major: bool = False, code: str | None = None) -> str:
        """A motion carried by the meeting; returns the resolution id (JY-yyyymm-nn)."""
        rng = self.chronicle.rng
        seats = self.chronicle.seats[self.body]
        votes_for = rng.randint(needed(self.body, seats, major)[1], self.present)
        against = rng.randint(0, self.present - votes_for)
        abstaining = rng.randint(0, self.present - votes_for - against)
        resolution_id = self.chronicle.serial(f"JY-{self.on:%Y%m}", 2)
        data: dict[str, Any] = {"meeting_id": self.meeting_id, "motion": f"关于{motion}的决议", "major": major,
                                "votes_for": votes_for, "votes_against": against, "abstentions": abstaining}
        if code:
            data["matter_code"] = code
        self.chronicle.add("MotionVoted", resolution_id, self.on, **data)
        self.data["agenda"].append(f"关于{motion}的议案")
        return resolution_id


def convene(chronicle: Chronicle, body: str, on: date, place: str) -> Meeting:
    """A meeting of ``body`` attended by enough members to decide major matters."""
    seats = chronicle.seats[body]
    least = max(needed(body, seats, True))
    present = chronicle.rng.randint(least, seats)
    meeting_id = chronicle.serial(f"HY-{on:%Y%m}", 2)
    data = chronicle.add("MeetingConvened", meeting_id, on, body=body, present=present, place=place, agenda=[])
    return Meeting(chronicle, meeting_id, body, on, present, data)


@dataclass
class Approvals:
    """Major matters of one CO: a resolution and a filing with the street for each, before it is needed."""

    chronicle: Chronicle
    street: str
    place: str
    meetings: dict[tuple[int, int], Meeting] = field(default_factory=dict)

    def approve(self, subject_id: str, subject: str, amount_fen: int, needed_by: date, code: str,
                *, filed: bool = True) -> dict[str, str]:
        """The citations (resolution_id, filing_id) of a major matter decided before ``needed_by``."""
        meeting = self._meeting_before(needed_by)
        resolution_id = meeting.vote(subject, major=True, code=code)
        if not filed:
            return {"resolution_id": resolution_id}
        rng = self.chronicle.rng
        reported = meeting.on + days(rng.randint(1, 2))
        filing_id = self.chronicle.serial(f"BB-{reported.year}")
        self.chronicle.add("MajorMatterReported", filing_id, reported, matter_code=code, subject=subject,
                           subject_id=subject_id, amount=yuan(amount_fen),
                           resolution_id=resolution_id, reported_to=f"{self.street}办事处")
        self.chronicle.add("MajorMatterFiled", filing_id, reported + days(rng.randint(1, 4)),
                           filed_by=f"{self.street}农村经济管理站",
                           filing_number=f"{self.street[:2]}街备〔{reported.year}〕{filing_id[-3:]}号")
        return {"resolution_id": resolution_id, "filing_id": filing_id}

    def _meeting_before(self, needed_by: date) -> Meeting:
        """The representative meeting of the month 25 days before ``needed_by`` (held on its 1st to 8th)."""
        month = needed_by - days(25)
        key = (month.year, month.month)
        if key not in self.meetings:
            held = date(month.year, month.month, self.chronicle.rng.randint(1, 8))
            self.meetings[key] = convene(self.chronicle, "representatives", held, self.place)
        return self.meetings[key]
