"""Replica reads: which database a GET under /v1/orgs reads from, and the headers that say so.

With ``LEDGER_READ_DATABASE_URL`` set, views, proofs, entities and event pages read from the
standby; tokens, appends, closing and everything else use the primary. An answer names the log
position it reflects (``known_at``), so a replica answer is exact for its position; these headers
say where it came from and how far behind the primary that position is:

    Ledger-Read-From: replica | primary
    Ledger-Replica-Lag-Positions: <positions on the primary not yet replayed on the replica>
    Ledger-Replica-Lag-Seconds: <the standby's replay lag>

A request for a position the replica has not replayed yet (``known_at`` a position or a time the
primary already covers beyond the replica) waits up to ``LEDGER_REPLICA_WAIT_MS`` for the replica
and is then answered by the primary. A replica that cannot be reached sends reads to the primary.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.adapters.sql.failover import last_position_or_none, probe_replica
from ledger.bootstrap import Services
from ledger.entrypoints.http.middleware import set_headers

log = logging.getLogger("ledger.replica")
_POSITION = re.compile(r"[0-9]{1,18}")
READ_PREFIX = "/v1/orgs"


@dataclass(frozen=True)
class ReadChoice:
    source: str
    lag_positions: int | None = None
    lag_seconds: float | None = None


def choose(request: Request) -> Services:
    """The services this request reads through (the primary's unless a replica can answer exactly)."""
    services: Services = request.app.state.services
    replica = services.replica
    if replica is None or request.method != "GET" or not request.url.path.startswith(READ_PREFIX):
        return services
    primary_last = services.reader.last_position()
    needed = _needed_position(services, request.query_params.get("known_at"), primary_last)
    deadline = time.monotonic() + services.settings.replica_wait_ms / 1000
    replica_last = last_position_or_none(replica.reader)
    while needed is not None and replica_last is not None and replica_last < needed \
            and time.monotonic() < deadline:
        time.sleep(0.02)
        replica_last = last_position_or_none(replica.reader)
    state = probe_replica(replica.reader.engine) if replica_last is not None else None
    if replica_last is None or state is None:
        log.warning("replica unreachable: reads go to the primary")
        request.state.read_choice = ReadChoice("primary")
        return services
    if needed is not None and replica_last < needed:
        request.state.read_choice = ReadChoice("primary", primary_last - replica_last)
        return services
    lag_seconds = state.replay_lag_s
    request.state.read_choice = ReadChoice("replica", max(primary_last - replica_last, 0), lag_seconds)
    return replica


def _needed_position(services: Services, known_at: str | None, primary_last: int) -> int | None:
    """The position an answer must include, or None for "as known now" (the replica's now, stated)."""
    if not known_at:
        return None
    if _POSITION.fullmatch(known_at):
        return min(int(known_at), primary_last)
    try:
        return services.views.resolve_known_at(known_at)
    except Exception:  # a malformed time: let the route refuse it, on the primary
        return primary_last


def install(app: FastAPI) -> None:
    """Add the Ledger-Read-From and lag headers to every answer that chose a database."""
    app.add_middleware(ReadHeaders)


class ReadHeaders:
    """The headers of the read choice a route made (``request.state.read_choice``, kept in the ASGI scope's
    state), added as the response starts: plain ASGI, so a request pays no task or stream for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            choice: ReadChoice | None = state.get("read_choice")
            if message["type"] == "http.response.start" and choice is not None:
                headers = [(b"ledger-read-from", choice.source.encode())]
                if choice.lag_positions is not None:
                    headers.append((b"ledger-replica-lag-positions", str(choice.lag_positions).encode()))
                if choice.lag_seconds is not None:
                    headers.append((b"ledger-replica-lag-seconds", f"{choice.lag_seconds:g}".encode()))
                set_headers(message, headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)
