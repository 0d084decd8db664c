"""Dependencies of the routes: the services of this process, the authenticated caller, the CO it may read."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.adapters.sql.tokens import authenticate
from ledger.application.access import Caller
from ledger.bootstrap import Services
from ledger.entrypoints.http import replica


def get_services(request: Request) -> Services:
    """This process's services; for a GET under /v1/orgs, the replica's when one can answer (``replica``)."""
    return replica.choose(request)


_bearer = HTTPBearer(auto_error=False, description="A token from `ledger tokens create` or POST /v1/tokens.")


def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller behind the bearer token (looked up on the primary); 401 when missing, unknown or revoked."""
    services: Services = request.app.state.services
    if credentials is None:
        raise HTTPException(401, "a bearer token is required (Authorization: Bearer <token>)",
                            headers={"WWW-Authenticate": "Bearer"})
    caller = authenticate(services.engine, credentials.credentials)
    if caller is None:
        raise HTTPException(401, "the bearer token is unknown or revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    request.state.caller = caller
    return caller


ServicesDep = Annotated[Services, Depends(get_services)]
CallerDep = Annotated[Caller, Depends(get_caller)]


def get_readable_org(org_id: str, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """The CO of the path, if the caller may read it: 404 when unknown, 403 when out of the caller's scope."""
    org = services.reader.organization(org_id)
    caller.require_read(org_id, org["street"])
    return org


def get_audited_org(org_id: str, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """The CO of the path, for an auditor of its street (closing, findings)."""
    org = services.reader.organization(org_id)
    caller.require_role("auditor")
    caller.require_read(org_id, org["street"])
    return org


ReadableOrg = Annotated[dict[str, Any], Depends(get_readable_org)]
AuditedOrg = Annotated[dict[str, Any], Depends(get_audited_org)]
