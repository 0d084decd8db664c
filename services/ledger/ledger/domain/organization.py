"""The collective economic organization (CO) itself: registration, policy, cut-off date."""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.governance import BODY_NAMES, DEFAULT_RULES, GoverningBodyElected
from ledger.contracts.organization import (
    DEFAULT_THRESHOLD_FEN,
    MajorMatterPolicySet,
    OrganizationRegistered,
    QualificationCutoffSet,
)
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation


class Organization(Entity):
    """A CO: its entity id is its own org id (e.g. TC-001)."""

    KIND = "organization"

    @event("OrganizationRegistered")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.name = data["name"]
        self.street = data["street"]
        self.qualification_cutoff = data["qualification_cutoff"]
        self.policy = data["policy"]
        self.bodies: dict[str, Any] = {}

    @event("MajorMatterPolicySet")
    def set_policy(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.policy = data["policy"]

    @event("QualificationCutoffSet")
    def set_cutoff(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.qualification_cutoff = data["qualification_cutoff"]

    @event("GoverningBodyElected")
    def elect_body(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        elected = {
            "seats": data["seats"],
            "members": list(data.get("members", [])),
            "chair": data.get("chair"),
            "term_end": data.get("term_end"),
            "rules": data["rules"],
            "elected_on": envelope["effective_date"],
        }
        self.bodies = {**self.bodies, data["body"]: elected}

    def body_rules(self, body: str) -> dict[str, Any]:
        """The quorum and majority rules of a body: as elected, else the defaults of the law."""
        elected = self.bodies.get(body) or {}
        return dict(elected.get("rules") or DEFAULT_RULES[body])

    @property
    def threshold_fen(self) -> int:
        return int(self.policy.get("threshold", DEFAULT_THRESHOLD_FEN))

    @property
    def policy_mode(self) -> str:
        return str(self.policy.get("mode", "reject"))


def _register(ctx: Context, org: Entity | None, envelope: dict[str, Any], p: OrganizationRegistered) -> Entity:
    return Organization(envelope=envelope, data=p.stored())


def _set_policy(ctx: Context, org: Entity | None, envelope: dict[str, Any], p: MajorMatterPolicySet) -> Entity:
    cast(Organization, org).set_policy(envelope=envelope, data=p.stored())
    return org


def _set_cutoff(ctx: Context, org: Entity | None, envelope: dict[str, Any], p: QualificationCutoffSet) -> Entity:
    cast(Organization, org).set_cutoff(envelope=envelope, data=p.stored())
    return org


BOARD_SEATS = (3, 7)
"""The 2024 law: a board (理事会) of three to seven members."""


def _elect(ctx: Context, org: Entity | None, envelope: dict[str, Any], p: GoverningBodyElected) -> Entity:
    low, high = BOARD_SEATS
    if p.body == "board" and not low <= p.seats <= high:
        raise RuleViolation("board-size", f"a board has {low} to {high} members; got {p.seats} seats",
                            body=p.body, seats=p.seats)
    if len(p.members) > p.seats:
        raise RuleViolation("body-members-exceed-seats", f"{len(p.members)} members named for the "
                            f"{BODY_NAMES[p.body]} of {p.seats} seats", body=p.body, seats=p.seats,
                            members=len(p.members))
    if p.term_end is not None and p.term_end.isoformat() <= envelope["effective_date"]:
        raise RuleViolation("body-term-invalid", f"the term ends {p.term_end} on or before the election "
                            f"{envelope['effective_date']}", body=p.body, term_end=p.term_end.isoformat())
    cast(Organization, org).elect_body(envelope=envelope, data=p.stored())
    return cast(Organization, org)


def _organization_row(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A registration adds the CO to the ledger's registry of organizations (name, street)."""
    return "organization", {"name": data["name"], "street": data["street"]}


register(EventType("OrganizationRegistered", Organization, OrganizationRegistered, _register, creates=True, author="admin",
                   registers=_organization_row,
                   description="A CO joins the ledger; only through POST /v1/orgs (admin)."))
register(EventType("MajorMatterPolicySet", Organization, MajorMatterPolicySet, _set_policy,
                   description="The CO's major-matter threshold, list of matter codes and mode."))
register(EventType("QualificationCutoffSet", Organization, QualificationCutoffSet, _set_cutoff,
                   description="The cut-off date of member qualification."))
register(EventType("GoverningBodyElected", Organization, GoverningBodyElected, _elect,
                   description="A governing body (三会) is elected: seats, members, term, quorum and majority."))
