"""The FastAPI application over the services ``ledger.bootstrap`` built (nothing happens at import)."""
from __future__ import annotations

from fastapi import FastAPI

from ledger.bootstrap import Services, build_services
from ledger.entrypoints.http import problems, replica, ui
from ledger.entrypoints.http.middleware import AccessLog, BodySizeLimit
from ledger.entrypoints.http.routes import admin, audit, books, entities, events, log, orgs, workbooks
from ledger.settings import Settings


def http_app(settings: Settings, services: Services) -> FastAPI:
    """Routes, problem+json errors, the body-size limit and the access log, over ``services``."""
    app = FastAPI(
        title="CO audit ledger",
        version="1",
        description="Event-sourced audit ledger for collective economic organizations (集体经济组织).",
        docs_url=None,  # served by ui.install from local files (no CDN)
    )
    app.state.services = services
    problems.install(app)
    for module in (admin, orgs, events, entities, workbooks, audit, books, log):
        app.include_router(module.router)
    ui.install(app, services)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    replica.install(app)
    app.add_middleware(AccessLog)
    return app


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The HTTP application, over ``services`` or over services built from ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    return http_app(settings, services or build_services(settings))
