"""Unknown query parameters are refused under /v1 (422 query-parameter), as the OpenAPI spec says.

FastAPI ignores a query parameter no operation declares, so ``?limt=5`` would silently mean the
default; the spec (and schemathesis) treat a request carrying one as invalid. The operation's
declared names come from its dependency tree, so nothing is listed twice.
"""
from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ledger.domain.errors import RuleViolation

API_PREFIX = "/v1/"
_declared: dict[int, frozenset[str]] = {}


def refuse_unknown_query(request: Request) -> None:
    """A dependency of every route: 422 naming the parameters the operation does not take."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.path.startswith(API_PREFIX) or not request.query_params:
        return
    names = _declared.get(id(route))
    if names is None:
        names = _declared[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params.keys()) - names)
    if unknown:
        raise RuleViolation("query-parameter", f"{request.url.path} takes no query parameter "
                            f"{', '.join(repr(u) for u in unknown)}; it takes: {', '.join(sorted(names)) or 'none'}",
                            unknown=unknown, accepted=sorted(names))


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
