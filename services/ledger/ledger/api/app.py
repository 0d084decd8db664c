"""The FastAPI application, built from settings by create_app (nothing happens at import)."""
from __future__ import annotations

from fastapi import FastAPI

from .. import auth
from ..adapters.store import engine_of, open_ledger
from ..appending import Appender
from ..domain.catalog import load_catalog
from ..log.keys import load_or_create_signer
from ..reading import Reader
from ..settings import Settings
from . import problems, routes_admin, routes_audit, routes_entities, routes_events, routes_log, routes_orgs
from .deps import Services
from .middleware import AccessLog, BodySizeLimit


def build_services(settings: Settings) -> Services:
    """Open the store, load the signing key, and honour LEDGER_ADMIN_TOKEN."""
    load_catalog()
    store = open_ledger(settings.database_url)
    engine = engine_of(store)
    signer = load_or_create_signer(settings.key_file, settings.log_origin)
    if settings.admin_token:
        auth.issue_token(engine, "admin", subject="admin:env", token=settings.admin_token)
    return Services(settings, store, engine, Appender(store, signer, settings.log_origin), Reader(store), signer)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="CO audit ledger",
        version="1",
        description="Event-sourced audit ledger for collective economic organizations (集体经济组织).",
    )
    app.state.services = services or build_services(settings)
    problems.install(app)
    for module in (routes_admin, routes_orgs, routes_events, routes_entities, routes_audit, routes_log):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app
