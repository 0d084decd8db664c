"""The audit cycle as events: periods closed by auditors, findings and their rectification."""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.auditing import FindingRecorded, FindingRectified, PeriodClosed, StatementsPublished
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import Conflict, RuleViolation
from ledger.domain.periods import Period


def period_entity_id(period: str) -> str:
    """The entity that records a period's closing, e.g. PERIOD-2025-Q1."""
    return f"PERIOD-{period}"


class AuditPeriod(Entity):
    """A closed period of a CO: what the auditor saw, where in the log, with which hash."""

    KIND = "audit_period"

    @event("PeriodClosed")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.period = data["period"]
        self.known_at_position = data["known_at_position"]
        self.view_sha256 = data["view_sha256"]


def disclosure_entity_id(period: str) -> str:
    """The entity that records a period's publication on the disclosure board, e.g. DISCLOSURE-2025-Q1."""
    return f"DISCLOSURE-{period}"


class Disclosure(Entity):
    """A period's statements as published for the members (公开): the view's position and hash."""

    KIND = "disclosure"

    @event("StatementsPublished")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.period = data["period"]
        self.known_at_position = data["known_at_position"]
        self.view_sha256 = data["view_sha256"]


class Finding(Entity):
    """An audit finding and, later, its rectification."""

    KIND = "finding"

    @event("FindingRecorded")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.period = data["period"]
        self.title = data["title"]
        self.severity = data.get("severity", "medium")
        self.rectified = False

    @event("FindingRectified")
    def rectify(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.rectified = True
        self.rectification = data["rectification"]


def _close(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: PeriodClosed) -> Entity:
    if envelope["entity_id"] != period_entity_id(p.period):
        raise RuleViolation("period-entity", f"a closing of {p.period} is recorded on {period_entity_id(p.period)}",
                            period=p.period, entity_id=envelope["entity_id"])
    return AuditPeriod(envelope=envelope, data=p.stored())


def _publish(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: StatementsPublished) -> Entity:
    if envelope["entity_id"] != disclosure_entity_id(p.period):
        raise RuleViolation("disclosure-entity", f"a publication of {p.period} is recorded on "
                            f"{disclosure_entity_id(p.period)}", period=p.period, entity_id=envelope["entity_id"])
    return Disclosure(envelope=envelope, data=p.stored())


def _record(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: FindingRecorded) -> Entity:
    return Finding(envelope=envelope, data=p.stored())


def _rectify(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: FindingRectified) -> Entity:
    finding = cast(Finding, entity)
    if finding.rectified:
        raise Conflict("finding-rectified", f"finding {finding.entity_id} was already rectified",
                       finding_id=finding.entity_id)
    finding.rectify(envelope=envelope, data=p.stored())
    return finding


def _closed_period_row(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A close adds its period to the CO's closed periods (what ``refuse_if_closed`` reads)."""
    period = Period.parse(data["period"])
    return "closed_period", {"period": str(period), "start_date": period.start.isoformat(),
                             "end_date": period.end.isoformat()}


register(EventType("PeriodClosed", AuditPeriod, PeriodClosed, _close, creates=True, author="auditor",
                   registers=_closed_period_row,
                   description="An auditor closes a period; later appends dated inside it are refused."))
register(EventType("StatementsPublished", Disclosure, StatementsPublished, _publish, creates=True, author="auditor",
                   description="An auditor publishes a period's statements on the disclosure board (公开栏)."))
register(EventType("FindingRecorded", Finding, FindingRecorded, _record, creates=True, author="auditor",
                   references={"subject_ids": "*"}, description="An audit finding about a period."))
register(EventType("FindingRectified", Finding, FindingRectified, _rectify, author="auditor",
                   description="The rectification of a finding."))
