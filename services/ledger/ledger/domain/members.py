"""Members and shares (股东资格认定, 静态管理 "两不增两不减").

Members are qualified per household as of the CO's cut-off date. After it, a qualification needs
an adopted resolution of the representative meeting (or congress), as do the special cases 空挂户
and 外迁人员 at any time. Shares are allotted only up to the cut-off; after it they pass only by
inheritance or inside the household: births and arrivals add none, deaths and departures remove none.
"""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.members import (
    SPECIAL_CASES,
    MemberQualified,
    MemberRecordCorrected,
    SharesAllotted,
    SharesTransferred,
)
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.governance import resolution_problem
from ledger.domain.organization import Organization


class Member(Entity):
    """A member (股东) of the CO: household, basis of qualification, shares allotted and passed on."""

    KIND = "member"

    @event("MemberQualified")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.name = data["name"]
        self.household_id = data["household_id"]
        self.basis = data["basis"]
        self.relation = data.get("relation")
        self.resolution_id = data.get("resolution_id")
        self.qualified_on = envelope["effective_date"]
        self.allotted = 0
        self.transfers_out: list[dict[str, Any]] = []

    @event("SharesAllotted")
    def allot(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.allotted += data["shares"]

    @event("SharesTransferred")
    def transfer_shares(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        out = {"to": data["to_member_id"], "shares": data["shares"], "reason": data["reason"],
               "on": envelope["effective_date"]}
        self.transfers_out = [*self.transfers_out, out]

    @event("MemberRecordCorrected")
    def correct(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.name = data.get("name", self.name)
        self.household_id = data.get("household_id", self.household_id)
        self.relation = data.get("relation", self.relation)

    @property
    def transferred_out(self) -> int:
        return sum(t["shares"] for t in self.transfers_out)


def shares_held(ctx: Context, member_id: str) -> int:
    """A member's shares now: allotted, less those passed on, plus those received from other members."""
    member = cast(Member, ctx.entity(member_id))
    received = sum(
        t["shares"]
        for giver in ctx.citing(member_id, "member") if isinstance(giver, Member)
        for t in giver.transfers_out if t["to"] == member_id
    )
    return member.allotted - member.transferred_out + received


def _qualify(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MemberQualified) -> Entity:
    org = cast(Organization, ctx.organization())
    on, member_id = envelope["effective_date"], envelope["entity_id"]
    problem = resolution_problem(ctx, p.resolution_id, on=on)
    if p.basis in SPECIAL_CASES and problem:
        raise RuleViolation("special-case-needs-resolution", f"member {member_id} ({p.name}) qualified as "
                            f"{SPECIAL_CASES[p.basis]} ({p.basis}) needs an adopted resolution of the "
                            f"representative meeting: {problem}",
                            member_id=member_id, basis=p.basis, resolution_id=p.resolution_id)
    if on > org.qualification_cutoff and problem:
        raise RuleViolation("qualification-after-cutoff", f"member {member_id} ({p.name}) qualified on {on}, after "
                            f"the cut-off {org.qualification_cutoff}, needs an adopted resolution of the "
                            f"representative meeting: {problem}",
                            member_id=member_id, cutoff=org.qualification_cutoff, resolution_id=p.resolution_id)
    return Member(envelope=envelope, data=p.stored())


def _allot(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: SharesAllotted) -> Entity:
    org = cast(Organization, ctx.organization())
    member = cast(Member, entity)
    on = envelope["effective_date"]
    if on > org.qualification_cutoff:
        raise RuleViolation("shares-allotted-after-cutoff", f"{p.shares} shares allotted to {member.entity_id} on "
                            f"{on}, after the cut-off {org.qualification_cutoff} (两不增两不减: after it shares pass "
                            "only by inheritance or inside the household)", member_id=member.entity_id,
                            cutoff=org.qualification_cutoff)
    member.allot(envelope=envelope, data=p.stored())
    return member


def _transfer(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: SharesTransferred) -> Entity:
    member = cast(Member, entity)
    receiver = cast(Member, ctx.entity(p.to_member_id))
    if p.to_member_id == member.entity_id:
        raise RuleViolation("share-transfer-to-self", f"member {member.entity_id} cannot transfer shares to itself",
                            member_id=member.entity_id)
    if p.reason == "within_household" and receiver.household_id != member.household_id:
        raise RuleViolation("share-transfer-outside-household", f"{member.entity_id} (household "
                            f"{member.household_id}) and {receiver.entity_id} (household {receiver.household_id}) "
                            "are not in the same household; outside it shares pass only by inheritance",
                            member_id=member.entity_id, to_member_id=receiver.entity_id)
    held = shares_held(ctx, member.entity_id)
    if p.shares > held:
        raise RuleViolation("shares-insufficient", f"member {member.entity_id} holds {held} shares, cannot transfer "
                            f"{p.shares}", member_id=member.entity_id, held=held, shares=p.shares)
    member.transfer_shares(envelope=envelope, data=p.stored())
    return member


def _correct(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MemberRecordCorrected) -> Entity:
    member = cast(Member, entity)
    if p.name is None and p.household_id is None and p.relation is None:
        raise RuleViolation("correction-empty", f"correction of member {member.entity_id} changes nothing",
                            member_id=member.entity_id)
    member.correct(envelope=envelope, data=p.stored())
    return member


register(EventType("MemberQualified", Member, MemberQualified, _qualify, creates=True,
                   references={"resolution_id": "resolution"},
                   description="A member is qualified; after the cut-off or as a special case it cites a resolution."))
register(EventType("SharesAllotted", Member, SharesAllotted, _allot,
                   description="Shares are allotted to a member, on or before the qualification cut-off."))
register(EventType("SharesTransferred", Member, SharesTransferred, _transfer, references={"to_member_id": "member"},
                   description="Shares pass to another member by inheritance or within the household."))
register(EventType("MemberRecordCorrected", Member, MemberRecordCorrected, _correct,
                   references={"resolution_id": "resolution"},
                   description="A member's name, household or relation is corrected."))
