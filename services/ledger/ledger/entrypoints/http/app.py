"""The FastAPI application over the services ``ledger.bootstrap`` built (nothing happens at import)."""
from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from ledger.bootstrap import Services, build_services
from ledger.entrypoints.http import problems, replica, ui
from ledger.entrypoints.http.auth_rate import FailedAuthentications
from ledger.entrypoints.http.query import refuse_unknown_query
from ledger.entrypoints.http.middleware import AccessLog, RequestBody
from ledger.entrypoints.http.models.problem import as_problem_json
from ledger.entrypoints.http.routes import admin, audit, books, entities, events, log, orgs, workbooks
from ledger.settings import Settings


def http_app(settings: Settings, services: Services) -> FastAPI:
    """Routes, problem+json errors, the request body's limits and the access log, over ``services``."""
    app = FastAPI(
        title="CO audit ledger",
        version="1",
        description="Event-sourced audit ledger for collective economic organizations (集体经济组织).",
        docs_url=None,  # served by ui.install from local files (no CDN)
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state.services = services
    app.state.failed_authentications = FailedAuthentications(settings.auth_failures_per_minute)
    problems.install(app)
    for module in (admin, orgs, events, entities, workbooks, audit, books, log):
        app.include_router(module.router)
    ui.install(app, services)
    app.add_middleware(RequestBody, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s,
                       max_depth=settings.max_json_depth)
    replica.install(app)
    app.add_middleware(AccessLog)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's spec with every error response as application/problem+json (built once)."""
    if app.openapi_schema is None:
        app.openapi_schema = as_problem_json(get_openapi(title=app.title, version=app.version,
                                                         description=app.description, routes=app.routes))
    return app.openapi_schema


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The HTTP application, over ``services`` or over services built from ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    return http_app(settings, services or build_services(settings))
