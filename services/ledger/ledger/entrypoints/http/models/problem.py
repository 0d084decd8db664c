"""The problem+json body (RFC 9457) and the error responses each operation documents."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error: the rule refused (kebab-case id), a human detail, and the offending values."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="https://audit-ledger.local/problems/<rule>")
    title: str
    status: int
    detail: str
    rule: str = Field(description="The rule's id, e.g. org-scope, request-schema, body-size.")
    instance: str | None = None
    values: dict[str, Any] | None = Field(default=None, description="The values the rule refused.")
    index: int | None = Field(default=None, description="The event's index in the batch, when one event is at fault.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Each schema error (422 request-schema).")


_WHY = {
    400: "The body cannot be decoded (not UTF-8 JSON).",
    401: "No bearer token, or one unknown, revoked or expired (rule authentication, token-expired).",
    403: "The token's role or scope does not cover this (rule role, org-scope, append-scope); the same answer "
         "whether the CO exists or not.",
    404: "Unknown CO, entity, token or checkpoint.",
    408: "The request body did not arrive within LEDGER_BODY_TIMEOUT_S (rule body-timeout).",
    409: "A conflict: expected version, an existing id, an idempotency key reused with another body, a closed period.",
    413: "The request body is over LEDGER_MAX_BODY_BYTES (rule body-size).",
    422: "The request breaks the schema or a rule of the ledger (the rule id and values say which).",
    429: "Too many failed authentications from this address (rule auth-rate); retry after Retry-After seconds.",
    503: "The database is unavailable for now; retry after Retry-After seconds.",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
_HEADERS = {401: {"WWW-Authenticate": {"description": "Bearer, with error=\"invalid_token\" for a bad token.",
                                       "schema": {"type": "string"}}},
            429: _RETRY_AFTER, 503: _RETRY_AFTER}

AUTHENTICATED = (401, 403, 429, 503)
"""Every operation behind a token (a role the operation does not allow is 403)."""
WITH_BODY = (400, 408, 413, 422)
"""Every operation that reads a JSON body."""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status with the problem schema as application/problem+json."""
    return {status: {"description": _WHY[status], "model": Problem,
                     **({"headers": _HEADERS[status]} if status in _HEADERS else {})}
            for status in sorted(set(statuses))}


def as_problem_json(spec: dict[str, Any]) -> dict[str, Any]:
    """Every error response of ``spec`` (4xx, 5xx) as application/problem+json only (FastAPI writes application/json)."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if str(status)[0] in "45" and content:
                    schema = next(iter(content.values())).get("schema", {"$ref": "#/components/schemas/Problem"})
                    response["content"] = {MEDIA_TYPE: {"schema": schema}}
    return spec
