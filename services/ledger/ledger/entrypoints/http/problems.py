"""RFC 9457 problem details: every error names its rule and the offending values."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.adapters.sql.outages import DATABASE_ERRORS, RETRY_AFTER_SECONDS, retryable
from ledger.domain.errors import LedgerError
from ledger.entrypoints.http.models.problem import MEDIA_TYPE

PROBLEM_BASE = "https://audit-ledger.local/problems/"


def problem(status: int, rule: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_BASE + rule, "title": title, "status": status, "detail": detail, "rule": rule}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    err = exc if isinstance(exc, LedgerError) else LedgerError("internal", str(exc))
    values = dict(err.values)
    index = values.pop("index", None)
    answer = problem(err.status, err.rule, err.title, err.detail, index=index, values=_jsonable(values) or None,
                     instance=str(request.url.path))
    retry_after = getattr(err, "retry_after", None)
    if retry_after is not None:
        answer.headers["Retry-After"] = str(retry_after)
    return answer


PARAMETER_RULES = {("path", "period"): "period-format", ("query", "known_at"): "known-at-format",
                   ("path", "org_id"): "id-format", ("path", "entity_id"): "id-format",
                   ("path", "finding_id"): "id-format", ("path", "token_id"): "id-format",
                   ("query", "from"): "date-format", ("query", "to"): "date-format", ("query", "rules"): "rules-version"}
"""The rule a malformed parameter breaks (any other schema error: request-schema)."""


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
              for e in exc.errors()]
    index = next((e["loc"][2] for e in exc.errors()
                  if len(e.get("loc", ())) > 2 and e["loc"][:2] == ("body", "events") and isinstance(e["loc"][2], int)),
                 None)
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:10])
    rules = {PARAMETER_RULES.get(tuple(e.get("loc", ()))[:2], "request-schema") for e in exc.errors()}
    rule = rules.pop() if len(rules) == 1 else "request-schema"
    return problem(422, rule, "Invalid request", detail, errors=errors, index=index,
                   instance=str(request.url.path))


class AuthenticationProblem(StarletteHTTPException):
    """A 401 or 429 naming its rule (authentication, token-expired, auth-rate) and values."""

    def __init__(self, status: int, rule: str, detail: str, headers: dict[str, str], **values: Any) -> None:
        super().__init__(status, detail, headers=headers)
        self.rule = rule
        self.values = values


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    rule = getattr(exc, "rule", None) or {401: "authentication", 404: "route-exists", 405: "method-allowed",
                                          413: "body-size"}.get(exc.status_code, "http")
    response = problem(exc.status_code, rule, _title(exc.status_code), str(exc.detail),
                       values=_jsonable(getattr(exc, "values", {})) or None, instance=str(request.url.path))
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _title(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(values, default=str, ensure_ascii=False))


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database error a retry can cure: 503 with Retry-After; any other is re-raised (a 500)."""
    cause = retryable(exc)
    if cause is None:
        raise exc
    response = problem(503, "database-unavailable", "Service Unavailable",
                       f"数据库暂时不可用 (the database is unavailable for now: {cause['reason']}); retry after "
                       f"{RETRY_AFTER_SECONDS} s (an append with the same Idempotency-Key is stored once)",
                       values=cause, retry_after=RETRY_AFTER_SECONDS, instance=str(request.url.path))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def install(app: FastAPI) -> None:
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, _database_error)
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
