"""Which database errors a retry can cure: a lost connection, a timeout, a lock, a serialization failure.

The HTTP layer answers them 503 with Retry-After (``database-unavailable``); the projector retries
them with backoff. Everything else (a bug, a constraint) stays an error.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg2
from eventsourcing.persistence import PersistenceError
from sqlalchemy import exc as sa

DATABASE_ERRORS: tuple[type[BaseException], ...] = (sa.SQLAlchemyError, PersistenceError, psycopg2.Error,
                                                    sqlite3.Error)
"""Every error class the stores raise (the candidates; ``retryable`` decides)."""

RETRYABLE_SQLSTATES = {"40001": "serialization failure", "40P01": "deadlock", "55P03": "lock timeout",
                       "57014": "statement timeout", "57P01": "server shut down", "57P03": "server starting"}
RETRY_AFTER_SECONDS = 2


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(e for e in (getattr(current, "orig", None), current.__cause__, current.__context__)
                     if isinstance(e, BaseException))


def retryable(exc: BaseException) -> dict[str, str] | None:
    """What made ``exc`` transient ({"reason": ..., "sqlstate": ...}), or None when a retry would not help."""
    for error in _chain(exc):
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return {"reason": "connection lost"}
        if isinstance(error, (sa.DisconnectionError, sa.TimeoutError)):
            return {"reason": type(error).__name__}
        if isinstance(error, psycopg2.Error):
            code = error.pgcode or ""
            if code in RETRYABLE_SQLSTATES:
                return {"reason": RETRYABLE_SQLSTATES[code], "sqlstate": code}
            if isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)) and not code.startswith("42"):
                return {"reason": "connection", **({"sqlstate": code} if code else {})}
        if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error)):
            return {"reason": "database locked"}
    return None
