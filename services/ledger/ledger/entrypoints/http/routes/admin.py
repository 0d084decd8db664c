"""Health, readiness, and token administration."""
from __future__ import annotations

from fastapi import APIRouter, Response, status

from ledger.adapters.sql import tokens as auth
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
def readyz(services: ServicesDep, response: Response) -> dict[str, str]:
    """The database answers."""
    try:
        database = services.reader.ping()
    except Exception as exc:  # any driver error means not ready
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "detail": type(exc).__name__}
    return {"status": "ready", "database": database}


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
