"""The audit cycle over HTTP: period views (as known at any point), closing, findings."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ledger.application import auditing
from ledger.entrypoints.http.deps import AuditedOrg, CallerDep, ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.audit import (
    CloseIn,
    CloseOut,
    FindingIn,
    PeriodViewOut,
    RectificationIn,
)
from ledger.entrypoints.http.models.events import AppendOut
from ledger.entrypoints.http.models.params import EntityIdPath, KnownAt, OrgIdPath, PeriodPath
from ledger.entrypoints.http.models.problem import AUTHENTICATED, WITH_BODY, problem_responses
from projections.audit_views import VIEW_OF_PERIOD, parse_period
from projections.views.rules import rules_of

router = APIRouter(prefix="/v1/orgs/{org_id}", tags=["audit"])

ACT = problem_responses(*AUTHENTICATED, *WITH_BODY, 404, 409)
RulesAsked = Annotated[str | None, Query(pattern=r"^[0-9]{1,3}$", description="Books rules version of the answer as known "
                                         "(1 or 2); default the current one. The closed view keeps its own.")]


@router.get("/audit/{period}", response_model=PeriodViewOut, responses=problem_responses(*AUTHENTICATED, 404, 422))
def audit_view(org_id: OrgIdPath, period: PeriodPath, org: ReadableOrg, services: ServicesDep,
               known_at: KnownAt = None, rules: RulesAsked = None) -> Response:
    """The period's audit view (month: regular, quarter: special, year: year-end) as known at a point."""
    views, asked = services.views, parse_period(period)
    position = views.resolve_known_at(known_at)
    now = views.view(org_id, asked, position, rules_of(rules).version)
    result = {"org_id": org_id, "period": str(asked), "asked_known_at": position,
              "as_known": now.to_json(), "closed": None}
    closing = views.closing(org_id, asked)
    if closing is not None and closing.position <= position:
        data = closing.data
        result["closed"] = {
            "position": closing.position, "closed_on": closing.effective_date, "actor": closing.actor,
            "view_sha256": data["view_sha256"], "checkpoint": data["checkpoint"],
            **views.as_closed(org_id, asked, closing, now),
            "adjustments": views.adjustments(org_id, asked, closing.position),
        }
    # the model's own JSON (pydantic, in one pass), not FastAPI's validate-dump-encode of the returned model
    return Response(PeriodViewOut.model_validate(result).model_dump_json(), media_type="application/json")


@router.post("/audit/{period}/close", status_code=status.HTTP_201_CREATED, response_model=CloseOut, responses=ACT)
def close_period(org_id: OrgIdPath, period: PeriodPath, body: CloseIn, org: AuditedOrg, caller: CallerDep,
                 services: ServicesDep) -> CloseOut:
    """Close a period (auditor): store the view's hash, its log position and a signed checkpoint."""
    asked = parse_period(period)
    closed = auditing.close_period(services.appender, services.views, services.reader, org_id, caller.subject, asked,
                                   VIEW_OF_PERIOD[asked.kind], body.closed_on or _today())
    return CloseOut.model_validate({**closed.data, "closed_on": closed.closed_on.isoformat(),
                                    "receipt": closed.receipt})


@router.post("/findings", status_code=status.HTTP_201_CREATED, response_model=AppendOut, responses=ACT)
def record_finding(org_id: OrgIdPath, body: FindingIn, org: AuditedOrg, caller: CallerDep,
                   services: ServicesDep) -> AppendOut:
    """Record an audit finding (auditor)."""
    data = body.model_dump(exclude={"finding_id", "recorded_on"})
    return AppendOut.model_validate(auditing.record_finding(
        services.appender, org_id, caller.subject, body.finding_id, body.recorded_on or _today(), data))


@router.post("/findings/{finding_id}/rectification", status_code=status.HTTP_201_CREATED, response_model=AppendOut,
             responses=ACT)
def record_rectification(org_id: OrgIdPath, finding_id: EntityIdPath, body: RectificationIn, org: AuditedOrg, caller: CallerDep,
                         services: ServicesDep) -> AppendOut:
    """Record the CO's rectification of a finding (auditor)."""
    data = body.model_dump(exclude={"recorded_on"}, exclude_none=True)
    return AppendOut.model_validate(auditing.record_rectification(
        services.appender, org_id, caller.subject, finding_id, body.recorded_on or _today(), data))


def _today() -> date:
    """The day in UTC: the default date of an auditor's act."""
    return datetime.now(timezone.utc).date()
