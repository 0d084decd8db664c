"""COs: register one (admin), list those the caller may see."""
from __future__ import annotations

from fastapi import APIRouter, status

from ledger.application.append import EventRequest
from ledger.entrypoints.http.deps import CallerDep, ServicesDep
from ledger.entrypoints.http.models.events import OrgIn, OrgOut
from ledger.entrypoints.http.models.problem import AUTHENTICATED, WITH_BODY, problem_responses

router = APIRouter(prefix="/v1/orgs", tags=["organizations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrgOut,
             responses=problem_responses(*AUTHENTICATED, *WITH_BODY, 409))
def register_org(body: OrgIn, caller: CallerDep, services: ServicesDep) -> OrgOut:
    """Register a CO (admin): appends its OrganizationRegistered event."""
    caller.require_role("admin")
    data = body.model_dump(mode="json", exclude={"org_id"})
    request = EventRequest("OrganizationRegistered", body.org_id, body.qualification_cutoff, data)
    outcome = services.appender.append(body.org_id, caller.subject, [request], author="admin")
    return OrgOut(org_id=body.org_id, name=body.name, street=body.street, position=outcome.positions[0])


@router.get("", response_model=list[OrgOut], responses=problem_responses(*AUTHENTICATED))
def list_orgs(caller: CallerDep, services: ServicesDep) -> list[OrgOut]:
    """The COs the caller may read."""
    return [OrgOut(**row) for row in services.reader.organizations() if caller.may_read(row["org_id"], row["street"])]
