"""The audit cycle over HTTP: period views (as known at any point), closing, findings."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from projections.audit import VIEW_OF_PERIOD, AuditViews, parse_period

from ..adapters.tables import entries
from ..appending import EventRequest
from ..contracts.base import EntityId, IsoDate
from ..domain.audit import period_entity_id
from ..domain.errors import Conflict, RuleViolation
from ..log import tlog
from .deps import CallerDep, ServicesDep

router = APIRouter(prefix="/v1/orgs/{org_id}", tags=["audit"])


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closed_on: IsoDate | None = Field(default=None, description="The day of closing; default: today (UTC).")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    finding_id: EntityId
    period: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
    title: str = Field(min_length=1, max_length=500)
    detail: str = Field(min_length=1, max_length=500)
    severity: str = "medium"
    subject_ids: list[EntityId] = Field(default_factory=list)
    recorded_on: IsoDate | None = None


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rectification: str = Field(min_length=1, max_length=500)
    evidence: str | None = Field(default=None, max_length=500)
    recorded_on: IsoDate | None = None


def _views(services: Any) -> AuditViews:
    return AuditViews(services.ledger)


@router.get("/audit/{period}")
def audit_view(org_id: str, period: str, caller: CallerDep, services: ServicesDep,
               known_at: Annotated[str | None, Query(description="Log position or ISO time; default now.")] = None
               ) -> dict[str, Any]:
    """The period's audit view (month: regular, quarter: special, year: year-end) as known at a point."""
    org = services.reader.organization(org_id)
    caller.require_read(org_id, org["street"])
    views, asked = _views(services), parse_period(period)
    position = views.resolve_known_at(known_at)
    result: dict[str, Any] = {"org_id": org_id, "period": str(asked), "asked_known_at": position,
                              "as_known": views.view(org_id, asked, position).to_json(), "closed": None}
    closing = views.closing(org_id, asked)
    if closing is not None and closing["position"] <= position:
        data = closing["data"]
        as_closed = views.view(org_id, asked, data["known_at_position"])
        result["closed"] = {
            "position": closing["position"], "closed_on": closing["effective_date"], "actor": closing["actor"],
            "view_sha256": data["view_sha256"], "checkpoint": data["checkpoint"],
            "as_closed": as_closed.to_json(), "reproduced": as_closed.sha256 == data["view_sha256"],
            "adjustments": views.adjustments(org_id, asked, closing["position"]),
        }
    return result


@router.post("/audit/{period}/close", status_code=status.HTTP_201_CREATED)
def close_period(org_id: str, period: str, body: CloseIn, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Close a period (auditor): store the view's hash, its log position and a signed checkpoint."""
    org = services.reader.organization(org_id)
    caller.require_role("auditor")
    caller.require_read(org_id, org["street"])
    asked, views = parse_period(period), _views(services)
    closed_on = body.closed_on or datetime.now(timezone.utc).date()
    if closed_on <= asked.end:
        raise RuleViolation("period-not-ended", f"{asked} ends {asked.end}; it can be closed from the next day, "
                            f"not on {closed_on}", period=str(asked), closed_on=closed_on.isoformat())
    if views.closing(org_id, asked) is not None:
        raise Conflict("period-closed-already", f"{org_id} already closed {asked}", period=str(asked))
    with Session(services.engine) as session:
        head = tlog.read_head(session, org_id)
        position = session.execute(select(entries.c.position).where(
            entries.c.org_id == org_id, entries.c.leaf_index == head.size - 1)).scalar()
    answer = views.view(org_id, asked, int(position or 0))
    data = {"period": str(asked), "view": VIEW_OF_PERIOD[asked.kind],
            "known_at_position": answer.body["known_at"]["position"], "tree_size": head.size,
            "view_sha256": answer.sha256, "checkpoint": head.checkpoint or ""}
    outcome = services.appender.append(org_id, caller.subject, [
        EventRequest("PeriodClosed", period_entity_id(str(asked)), closed_on, data)], author="auditor")
    return {**data, "closed_on": closed_on.isoformat(), "receipt": outcome.body}


@router.post("/findings", status_code=status.HTTP_201_CREATED)
def record_finding(org_id: str, body: FindingIn, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Record an audit finding (auditor)."""
    _require_auditor(org_id, caller, services)
    data = body.model_dump(exclude={"finding_id", "recorded_on"})
    return _append_auditor(services, caller, org_id, "FindingRecorded", body.finding_id, body.recorded_on, data)


@router.post("/findings/{finding_id}/rectification", status_code=status.HTTP_201_CREATED)
def record_rectification(org_id: str, finding_id: str, body: RectificationIn, caller: CallerDep,
                         services: ServicesDep) -> dict[str, Any]:
    """Record the CO's rectification of a finding (auditor)."""
    _require_auditor(org_id, caller, services)
    data = body.model_dump(exclude={"recorded_on"}, exclude_none=True)
    return _append_auditor(services, caller, org_id, "FindingRectified", finding_id, body.recorded_on, data)


def _require_auditor(org_id: str, caller: Any, services: Any) -> None:
    org = services.reader.organization(org_id)
    caller.require_role("auditor")
    caller.require_read(org_id, org["street"])


def _append_auditor(services: Any, caller: Any, org_id: str, type_: str, entity_id: str, on: date | None,
                    data: dict[str, Any]) -> dict[str, Any]:
    effective = on or datetime.now(timezone.utc).date()
    outcome = services.appender.append(org_id, caller.subject, [EventRequest(type_, entity_id, effective, data)],
                                       author="auditor")
    return outcome.body
