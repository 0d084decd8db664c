"""Dependencies of the routes: the services of this process, the authenticated caller, the CO it may read."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.adapters.sql.tokens import TokenRefused, authenticate
from ledger.application.access import Caller
from ledger.bootstrap import Services
from ledger.entrypoints.http import replica
from ledger.entrypoints.http.auth_rate import FailedAuthentications
from ledger.entrypoints.http.models.params import OrgIdPath
from ledger.entrypoints.http.problems import AuthenticationProblem


def get_services(request: Request) -> Services:
    """This process's services; for a GET under /v1/orgs, the replica's when one can answer (``replica``)."""
    return replica.choose(request)


_bearer = HTTPBearer(auto_error=False, description="A token from `ledger tokens create` or POST /v1/tokens.")
_INVALID = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller behind the bearer token (looked up on the primary): 401 when missing, unknown, revoked or
    expired; 429 past the failure limit."""
    services: Services = request.app.state.services
    failures: FailedAuthentications = request.app.state.failed_authentications
    address = request.client.host if request.client else "unknown"
    wait = failures.retry_after(address)
    if wait is not None:
        raise AuthenticationProblem(429, "auth-rate", f"too many failed authentications from {address}; retry in "
                                    f"{wait} s", {"Retry-After": str(wait)}, limit_per_minute=failures.per_minute)
    if credentials is None:
        raise AuthenticationProblem(401, "authentication", "a bearer token is required (Authorization: Bearer "
                                    "<token>)", {"WWW-Authenticate": "Bearer"})
    try:
        caller = authenticate(services.engine, credentials.credentials)
    except TokenRefused as refused:
        failures.failed(address)
        if refused.reason == "expired":
            raise AuthenticationProblem(401, "token-expired", f"the bearer token {refused.token_id} expired at "
                                        f"{refused.at.isoformat() if refused.at else '?'}; ask an admin for a new "
                                        "one", _INVALID, token_id=refused.token_id) from None
        raise AuthenticationProblem(401, "authentication", "the bearer token is unknown or revoked",
                                    _INVALID) from None
    request.state.caller = caller
    return caller


ServicesDep = Annotated[Services, Depends(get_services)]
CallerDep = Annotated[Caller, Depends(get_caller)]


def get_readable_org(org_id: OrgIdPath, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """The CO of the path, if the caller may read it: 403 when out of scope (known or not), 404 when unknown."""
    return caller.readable_org(org_id, services.reader.organization)


def get_audited_org(org_id: OrgIdPath, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """The CO of the path, for an auditor of its street (closing, findings)."""
    caller.require_role("auditor")
    return caller.readable_org(org_id, services.reader.organization)


ReadableOrg = Annotated[dict[str, Any], Depends(get_readable_org)]
AuditedOrg = Annotated[dict[str, Any], Depends(get_audited_org)]
