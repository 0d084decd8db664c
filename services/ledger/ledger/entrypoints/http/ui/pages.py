"""What every page needs: the signed-in caller, the language, the CSRF token, the template renderer."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ledger.adapters.sql.tokens import caller_or_none
from ledger.application.access import Caller
from ledger.entrypoints.http.problems import problem
from ledger.entrypoints.http.ui import labels
from ledger.entrypoints.http.ui.money import field, yuan
from ledger.entrypoints.http.ui.session import LANG_COOKIE, SESSION_COOKIE, Session
from ledger.entrypoints.http.ui.tables import cell
from ledger.entrypoints.http.ui.workbench import Workbench

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
TEMPLATES.env.globals.update(yuan=yuan, cell=cell, field=field)
TEMPLATES.env.trim_blocks = TEMPLATES.env.lstrip_blocks = True
TEMPLATES.env.filters["css_string"] = lambda text: css_string(str(text))


def css_string(text: str) -> Markup:
    """Text for a CSS string in a <style> block: quotes and backslashes escaped, no markup, one line."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(escaped.replace("<", "\\3C ").replace(">", "\\3E ").replace("&", "\\26 "))


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in page."""


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, labels.DEFAULT_LANG)
    return lang if lang in labels.LANGS else labels.DEFAULT_LANG


def secure(request: Request) -> bool:
    """Whether the cookie must be Secure: the request came over TLS (directly or through a proxy)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


@dataclass
class Page:
    request: Request
    workbench: Workbench
    caller: Caller
    session: Session
    lang: str

    @property
    def csrf(self) -> str:
        return self.workbench.codec.csrf(self.session.session_id)

    def t(self, key: str) -> str:
        return labels.label(self.lang, key)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(self.request, template, {
            "page": self, "t": self.t, "lang": self.lang, "caller": self.caller, "csrf": self.csrf, **context},
            status_code=status)

    def org(self, org_id: str) -> dict[str, Any]:
        """The CO, if the caller may read it (404 unknown, 403 out of scope: problem+json, like the API)."""
        org = self.workbench.services.reader.organization(org_id)
        self.caller.require_read(org_id, org["street"])
        return org


def workbench_of(request: Request) -> Workbench:
    found: Workbench = request.app.state.workbench
    return found


def get_page(request: Request) -> Page:
    """The signed-in page context; SignInRequired (a redirect) without a live session."""
    bench = workbench_of(request)
    session = bench.codec.open(request.cookies.get(SESSION_COOKIE))
    caller = caller_or_none(bench.services.engine, session.token) if session else None
    if session is None or caller is None:
        raise SignInRequired()
    request.state.caller = caller
    return Page(request, bench, caller, session, language(request))


PageDep = Annotated[Page, Depends(get_page)]


async def checked_form(page: PageDep) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's (else CsrfRefused: 403 problem+json)."""
    form = await page.request.form()
    values = {k: str(v) for k, v in form.items()}
    if not page.workbench.codec.csrf_ok(page.session.session_id, values.get("csrf")):
        raise CsrfRefused(page.request.url.path)
    return values


FormDep = Annotated[dict[str, str], Depends(checked_form)]


class CsrfRefused(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def csrf_refused(request: Request, exc: Exception) -> JSONResponse:
    return problem(403, "csrf-token", "Forbidden",
                   "the form's CSRF token is missing or does not match this session (reload the page and resubmit)",
                   instance=str(request.url.path))
