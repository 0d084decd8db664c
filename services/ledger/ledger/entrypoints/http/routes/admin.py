"""Health, readiness, and token administration."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ledger.adapters.sql import tokens as auth
from ledger.adapters.sql.failover import last_position_or_none, probe_replica
from ledger.adapters.sql.outages import RETRY_AFTER_SECONDS
from ledger.entrypoints.http.deps import CallerDep, ServicesDep
from ledger.entrypoints.http.models.events import TokenIn, TokenOut
from ledger.entrypoints.http.models.params import TokenIdPath
from ledger.entrypoints.http.models.problem import AUTHENTICATED, WITH_BODY, problem_responses

UNAVAILABLE = problem_responses(503)

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"], responses=UNAVAILABLE)
def readyz(services: ServicesDep, response: Response) -> dict[str, Any]:
    """Ready when the database answers and the in-process projector (if any) is not failing; 503 + Retry-After if not.

    Reports the read model's lag behind the log (positions, seconds) and the projector's state
    (``external`` when it runs as its own process, ``ledger project --follow``).
    """
    report: dict[str, Any] = {"status": "ready"}
    try:
        report["database"] = {"status": "up", "dialect": services.reader.ping()}
        lag = services.views.lag()
    except Exception as exc:  # any driver error means not ready
        report.update(status="unavailable", database={"status": "down", "error": type(exc).__name__})
        lag = None
    projector = services.projector
    state = projector.state.to_json() if projector is not None else {"state": "external"}
    report["projector"] = {**state, "lag": lag}
    if projector is not None and projector.state.state == "retrying":
        report["status"] = "unavailable"
    if report["status"] != "ready":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if services.replica is not None:
        report["replica"] = replica_status(services)
    return report


def replica_status(services: ServicesDep) -> dict[str, Any]:
    """The read database's role and how far it is behind (readiness does not depend on it: reads fall back)."""
    assert services.replica is not None
    state = probe_replica(services.replica.reader.engine)
    replica_last = last_position_or_none(services.replica.reader)
    if state is None or replica_last is None:
        return {"status": "unavailable"}
    behind = services.reader.last_position() - replica_last
    return {"status": "ready", "standby": state.standby, "lag_positions": max(behind, 0),
            "lag_seconds": state.replay_lag_s}


@router.post("/v1/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenOut, tags=["tokens"],
             responses=problem_responses(*AUTHENTICATED, *WITH_BODY, 404))
def create_token(body: TokenIn, caller: CallerDep, services: ServicesDep) -> TokenOut:
    """Issue a token (admin); the secret is in this response only."""
    caller.require_role("admin")
    if body.org_id:
        services.reader.organization(body.org_id)
    issued = auth.issue_token(services.engine, body.role, org_id=body.org_id, street=body.street,
                              expires_at=body.expires_at)
    return TokenOut(token_id=issued.token_id, subject=issued.subject, role=issued.role, org_id=issued.org_id,
                    street=issued.street, expires_at=issued.expires_at, token=issued.token)


@router.get("/v1/tokens", response_model=list[TokenOut], tags=["tokens"], responses=problem_responses(*AUTHENTICATED))
def list_tokens(caller: CallerDep, services: ServicesDep) -> list[TokenOut]:
    """Every token, without secrets (admin)."""
    caller.require_role("admin")
    return [TokenOut.model_validate(row) for row in auth.list_tokens(services.engine)]


@router.delete("/v1/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["tokens"],
               responses=problem_responses(*AUTHENTICATED, 404, 422))
def revoke_token(token_id: TokenIdPath, caller: CallerDep, services: ServicesDep) -> Response:
    """Revoke a token (admin); it stops working at once."""
    caller.require_role("admin")
    auth.revoke_token(services.engine, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
