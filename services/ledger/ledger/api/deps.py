"""Dependencies of the routes: the services of this process and the authenticated caller."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from ..adapters.store import Ledger
from ..appending import Appender
from ..auth import Caller, authenticate
from ..log.notes import Signer
from ..reading import Reader
from ..settings import Settings


@dataclass
class Services:
    """What one running ledger process holds: built by create_app, never at import."""

    settings: Settings
    ledger: Ledger
    engine: Engine
    appender: Appender
    reader: Reader
    signer: Signer


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


_bearer = HTTPBearer(auto_error=False, description="A token from `ledger tokens create` or POST /v1/tokens.")


def get_caller(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller behind the bearer token; 401 when it is missing, unknown or revoked."""
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
