"""The auditor's workbench: server-rendered pages under /ui/ over the same services as the API.

``install(app, services)`` mounts the pages, their static assets (written here) and the API's
Swagger UI served from the ``fastapi-offline`` package's files: nothing is fetched from a CDN.
With ``LEDGER_UI_WARM_SECONDS`` set, a background thread polls the log at that interval and, when it
has moved, stores the dashboard's and worklist's rows (``Workbench.warm``) before anyone asks.
"""
from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ledger.bootstrap import Services
from ledger.entrypoints.http.ui.pages import CsrfRefused, SignInRequired, csrf_refused
from ledger.entrypoints.http.ui.workbench import Workbench

STATIC = Path(__file__).parent / "static"


def swagger_static() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI, services: Services) -> None:
    """Mount the workbench and the local Swagger UI on ``app`` (call with docs_url=None)."""
    from ledger.entrypoints.http.ui import public
    from ledger.entrypoints.http.ui.routes import router

    app.state.workbench = workbench = Workbench(services)
    warm_seconds = os.environ.get("LEDGER_UI_WARM_SECONDS")
    if warm_seconds:
        stopping = []
        app.add_event_handler("startup", lambda: stopping.append(workbench.start_warmer(float(warm_seconds))))
        app.add_event_handler("shutdown", lambda: [stop.set() for stop in stopping])
    app.include_router(router)
    app.include_router(public.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    app.mount("/docs-static", StaticFiles(directory=swagger_static()), name="docs-static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(CsrfRefused, csrf_refused)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} · docs",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")

    @app.get("/ui", include_in_schema=False)
    def ui_root() -> Response:
        return RedirectResponse("/ui/", status_code=307)


def _sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/ui/login", status_code=303)
