"""Payload contracts of governance (三会): bodies, meetings, votes on motions."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ledger.contracts.base import EntityId, Payload, Text

Body = Literal["congress", "representatives", "board", "supervisory"]
"""congress 成员大会 (all members), representatives 成员代表大会/村民代表会议, board 理事会, supervisory 监事会."""

BODY_NAMES: dict[str, str] = {
    "congress": "成员大会 members' congress",
    "representatives": "成员代表大会 representative meeting",
    "board": "理事会 board of directors",
    "supervisory": "监事会 supervisory board",
}

Ratio = Annotated[
    str,
    Field(pattern=r"^[1-9][0-9]{0,2}/[1-9][0-9]{0,2}$", description="A share written as a fraction, e.g. '2/3' or '1/2'."),
]


class QuorumRule(Payload):
    """How many seats must attend for the meeting to decide (e.g. at least 2/3 of all seats)."""

    share: Ratio
    comparison: Literal["at_least", "more_than"] = Field(
        default="at_least", description="at_least: 以上 (the share itself counts); more_than: 过半数-style, strictly above."
    )


class MajorityRule(Payload):
    """How many votes for a motion adopt it (e.g. more than 1/2 of all seats)."""

    share: Ratio
    of: Literal["seats", "present", "votes_cast"] = Field(
        default="seats",
        description="seats: of all members of the body; present: of those attending; votes_cast: of for+against.",
    )
    comparison: Literal["at_least", "more_than"] = Field(
        default="at_least", description="at_least: 以上 (the share itself counts); more_than: strictly above."
    )


class BodyRules(Payload):
    """Quorum and majority rules of one governing body, CO settings (defaults from the 2024 law)."""

    quorum: QuorumRule
    ordinary: MajorityRule = Field(description="Majority for ordinary matters (一般事项).")
    major: MajorityRule = Field(description="Majority for major matters (重大事项), e.g. at least 2/3 of all members.")


_TWO_THIRDS = {"share": "2/3", "comparison": "at_least"}
_MORE_THAN_HALF = {"share": "1/2", "comparison": "more_than"}

DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "congress": {"quorum": _TWO_THIRDS, "ordinary": {**_MORE_THAN_HALF, "of": "seats"},
                 "major": {**_TWO_THIRDS, "of": "seats"}},
    "representatives": {"quorum": _TWO_THIRDS, "ordinary": {**_MORE_THAN_HALF, "of": "seats"},
                        "major": {**_TWO_THIRDS, "of": "seats"}},
    "board": {"quorum": _MORE_THAN_HALF, "ordinary": {**_MORE_THAN_HALF, "of": "seats"},
              "major": {**_MORE_THAN_HALF, "of": "seats"}},
    "supervisory": {"quorum": _MORE_THAN_HALF, "ordinary": {**_MORE_THAN_HALF, "of": "seats"},
                    "major": {**_MORE_THAN_HALF, "of": "seats"}},
}
"""congress/representatives: 2/3 attending, more than half of all members for ordinary matters and
2/3 of all members for major ones; board and supervisory board: a simple majority of all seats."""


class GoverningBodyElected(Payload):
    """A governing body is elected (or its seats and rules set): congress, representatives, board, supervisory board."""

    body: Body = Field(description="congress 成员大会, representatives 成员代表大会, board 理事会, supervisory 监事会.")
    seats: int = Field(ge=1, le=100_000, description="Members of the body (for the congress: all members with a vote).")
    members: list[Text] = Field(
        default_factory=list, description="Names of the elected members (may be left empty for the congress)."
    )
    chair: Text | None = Field(default=None, description="The chair (理事长 / 监事长 / 会议召集人).")
    term_end: date | None = Field(default=None, description="Last day of the term (任期届满日).")
    rules: BodyRules | None = Field(
        default=None, description="Quorum and majority rules; when omitted, the defaults of the 2024 law for the body."
    )

    @model_validator(mode="before")
    @classmethod
    def _default_rules(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("rules") is None and data.get("body") in DEFAULT_RULES:
            return {**data, "rules": DEFAULT_RULES[data["body"]]}
        return data


class MeetingConvened(Payload):
    """A meeting of a governing body is held (its date is the event's effective date)."""

    body: Body = Field(description="The body meeting: congress, representatives, board or supervisory.")
    present: int = Field(ge=0, description="Members present (实到人数), proxies counted as the CO's rules allow.")
    seats: int | None = Field(
        default=None, ge=1, description="Members of the body (应到人数); defaults to the seats of the elected body."
    )
    place: Text | None = Field(default=None, description="Where it met, e.g. 社区会议室.")
    agenda: list[Text] = Field(default_factory=list, description="Items on the agenda (议程).")


class MotionVoted(Payload):
    """A motion is put to the vote at a meeting; the ledger then decides whether the resolution is adopted."""

    meeting_id: EntityId = Field(description="The meeting that voted.")
    motion: Text = Field(description="What was put to the vote (议题), e.g. 关于出租临街门面房的决议.")
    major: bool = Field(default=False, description="A major matter (重大事项): needs the body's major-matter majority.")
    matter_code: Text | None = Field(
        default=None, description="The major-matter code from the CO's list; a listed code makes the motion major."
    )
    votes_for: int = Field(ge=0, description="Votes for (赞成).")
    votes_against: int = Field(ge=0, description="Votes against (反对).")
    abstentions: int = Field(default=0, ge=0, description="Abstentions (弃权).")
