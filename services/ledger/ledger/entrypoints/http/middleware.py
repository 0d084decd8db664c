"""Request id, one structured access-log line per request, and the request body size limit."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.entrypoints.http.problems import MEDIA_TYPE

access_log = logging.getLogger("ledger.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class AccessLog:
    """Stamps X-Request-ID on the response and logs request id, actor, CO, route, status, latency.

    Never logs a token, a body or a member's personal data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        scope.setdefault("state", {})["request_id"] = request_id
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(json.dumps(self._line(scope, request_id, status["code"], started), ensure_ascii=False))

    @staticmethod
    def _line(scope: Scope, request_id: str, status: int, started: float) -> dict[str, Any]:
        state = scope.get("state") or {}
        caller = state.get("caller")
        route = scope.get("route")
        return {
            "request_id": request_id,
            "method": scope.get("method"),
            "route": getattr(route, "path", scope.get("path")),
            "org_id": (scope.get("path_params") or {}).get("org_id"),
            "actor": getattr(caller, "subject", None),
            "status": status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413 problem+json, chunked bodies included."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, int(declared))
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(seen)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge as exc:
            await self._refuse(send, exc.size)

    async def _refuse(self, send: Send, size: int) -> None:
        body = json.dumps({
            "type": "https://audit-ledger.local/problems/body-size", "title": "Content Too Large", "status": 413,
            "rule": "body-size", "detail": f"request body of {size} bytes exceeds the limit of {self.max_bytes} bytes",
        }).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size
