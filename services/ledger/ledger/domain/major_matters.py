"""Major matters (重大事项报备): reported to the street, filed by it; and the threshold rule.

A lease, tender or disposal at or above the CO's threshold (default 30,000 yuan) must cite an
adopted resolution of the congress or representative meeting, decided as a major matter, and a
major-matter report the street has filed. Without them the act is refused (policy mode
``reject``) or stored with flags the audit views list (mode ``flag``).
"""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.major_matters import MajorMatterFiled, MajorMatterReported
from ledger.domain.catalog import Context, EventType, Flag, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.governance import resolution_problem
from ledger.domain.money import format_fen
from ledger.domain.organization import Organization


class MajorMatter(Entity):
    """One major matter reported to the street, and its filing."""

    KIND = "major_matter"

    @event("MajorMatterReported")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.matter_code = data["matter_code"]
        self.subject = data["subject"]
        self.subject_id = data.get("subject_id")
        self.amount = data.get("amount")
        self.resolution_id = data.get("resolution_id")
        self.reported_to = data.get("reported_to")
        self.reported_on = envelope["effective_date"]
        self.status = "reported"
        self.filed_on: str | None = None
        self.filed_by: str | None = None
        self.filing_number: str | None = None

    @event("MajorMatterFiled")
    def file(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.status = "filed"
        self.filed_on = envelope["effective_date"]
        self.filed_by = data["filed_by"]
        self.filing_number = data.get("filing_number")


def filing_problem(ctx: Context, filing_id: str | None, subject_ids: tuple[str, ...]) -> str | None:
    """Why ``filing_id`` is not a filed report about one of ``subject_ids`` (None when it is)."""
    if not filing_id:
        return "cites no filed major-matter report"
    found = ctx.entity(filing_id)
    if not isinstance(found, MajorMatter):
        return f"{filing_id} is not a major matter of this CO"
    if found.status != "filed":
        return f"major matter {filing_id} was reported but not filed by the street"
    if found.subject_id and found.subject_id not in subject_ids:
        return f"major matter {filing_id} concerns {found.subject_id}, not {' or '.join(subject_ids)}"
    return None


def check_major_matter(ctx: Context, envelope: dict[str, Any], *, what: str, amount_fen: int,
                       resolution_id: str | None, filing_id: str | None, subject_ids: tuple[str, ...]) -> None:
    """The threshold rule: refuse, or flag per the CO's policy, a major matter lacking resolution or filing."""
    org = cast(Organization, ctx.organization())
    if amount_fen < org.threshold_fen:
        return
    head = f"{what} of {format_fen(amount_fen)} yuan is at or above the threshold {format_fen(org.threshold_fen)} yuan"
    values = {"amount": format_fen(amount_fen), "threshold": format_fen(org.threshold_fen),
              "resolution_id": resolution_id, "filing_id": filing_id}
    problems = [
        ("major-matter-resolution", resolution_problem(ctx, resolution_id, on=envelope["effective_date"], major=True)),
        ("major-matter-filing", filing_problem(ctx, filing_id, subject_ids)),
    ]
    for rule, problem in problems:
        if problem is None:
            continue
        if org.policy_mode == "flag":
            envelope["flags"].append(Flag(rule, f"{head} and {problem}", values).to_json())
        else:
            raise RuleViolation(rule, f"{head} and {problem}", **values)


def _report(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MajorMatterReported) -> Entity:
    org = cast(Organization, ctx.organization())
    codes = org.policy.get("matter_codes") or []
    if codes and p.matter_code not in codes:
        raise RuleViolation("matter-code-unknown", f"major-matter code {p.matter_code!r} is not on the CO's list "
                            f"of {len(codes)} codes", matter_code=p.matter_code)
    if p.resolution_id is not None:
        problem = resolution_problem(ctx, p.resolution_id, on=envelope["effective_date"])
        if problem:
            raise RuleViolation("resolution-not-adopted", f"major matter {envelope['entity_id']}: {problem}",
                                resolution_id=p.resolution_id)
    return MajorMatter(envelope=envelope, data=p.stored())


def _file(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: MajorMatterFiled) -> Entity:
    matter = cast(MajorMatter, entity)
    if matter.status == "filed":
        raise RuleViolation("major-matter-already-filed", f"major matter {matter.entity_id} was filed on "
                            f"{matter.filed_on} by {matter.filed_by}", filed_on=matter.filed_on)
    if envelope["effective_date"] < matter.reported_on:
        raise RuleViolation("filing-before-report", f"filing dated {envelope['effective_date']} precedes the report "
                            f"of {matter.reported_on}", reported_on=matter.reported_on)
    matter.file(envelope=envelope, data=p.stored())
    return matter


register(EventType("MajorMatterReported", MajorMatter, MajorMatterReported, _report, creates=True,
                   references={"resolution_id": "resolution"},
                   description="A major matter (重大事项) is reported to the street, citing its resolution."))
register(EventType("MajorMatterFiled", MajorMatter, MajorMatterFiled, _file,
                   description="The street files (备案) a reported major matter."))
