"""Request id, one structured access-log line per request, no-store on authenticated answers, the request body's limits."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.entrypoints.http.problems import MEDIA_TYPE, PROBLEM_BASE

access_log = logging.getLogger("ledger.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class AccessLog:
    """Stamps X-Request-ID on the response and logs request id, actor, CO, route, status, latency.

    A response to a request that carried a token gets ``Cache-Control: no-store``: members' and
    lessees' data never sit in a shared cache. Never logs a token, a body or a member's personal data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        extra = [(b"x-request-id", request_id.encode())]
        if b"authorization" in headers:
            extra.append((b"cache-control", b"no-store"))
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                set_headers(message, extra)
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


def set_headers(start: Message, headers: list[tuple[bytes, bytes]]) -> None:
    """Put ``headers`` (lower-case names) on a response's start message, in place of any of the same names."""
    names = {name for name, _ in headers}
    start["headers"] = [h for h in start.get("headers", []) if h[0].lower() not in names] + headers


class RequestBody:
    """Reads the whole request body before the app sees it, and refuses, as problem+json:

    - a body over ``max_bytes`` (declared or chunked): 413 ``body-size``;
    - a body not received within ``timeout_s`` (a trickling client): 408 ``body-timeout``, connection closed;
    - JSON nested deeper than ``max_depth``: 422 ``json-depth``;
    - a JSON string escaping a control character (``\\u0000``...; tab, LF, CR allowed): 422 ``control-character``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 10.0, max_depth: int = 32) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "body-size", f"request body of {int(declared)} bytes exceeds the limit of "
                          f"{self.max_bytes} bytes", size=int(declared), limit=self.max_bytes)
            return
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout_s)
        except asyncio.TimeoutError:
            await _refuse(send, 408, "body-timeout", f"the request body did not arrive within {self.timeout_s:g} "
                          "seconds", close=True, timeout_s=self.timeout_s)
            return
        except _TooLarge as exc:
            await _refuse(send, 413, "body-size", f"request body of at least {exc.size} bytes exceeds the limit of "
                          f"{self.max_bytes} bytes", close=True, size=exc.size, limit=self.max_bytes)
            return
        except _Disconnected:
            return
        if body and b"json" in headers.get(b"content-type", b""):
            refusal = json_refusal(body, self.max_depth)
            if refusal is not None:
                await _refuse(send, 422, *refusal)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge(size)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body, once, as one message; then whatever the server says next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ESCAPES = re.compile(rb"\\\\|\\u00(?:[01][0-9a-fA-F]|7[fF])")
_ALLOWED_CONTROLS = {b"\\u0009", b"\\u000a", b"\\u000A", b"\\u000d", b"\\u000D"}


def json_refusal(body: bytes, max_depth: int) -> tuple[str, str] | None:
    """Why a JSON body is refused before parsing (rule, detail), or None; malformed JSON is left to the parser."""
    skeleton = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    if len(skeleton) > max_depth:
        depth = deepest = 0
        for byte in skeleton:
            depth += 1 if byte in (0x5B, 0x7B) else -1
            if depth > deepest:
                deepest = depth
                if deepest > max_depth:
                    return "json-depth", f"JSON nested deeper than {max_depth} levels"
    for match in _ESCAPES.finditer(body):
        escape = match.group()
        if escape != b"\\\\" and escape not in _ALLOWED_CONTROLS:
            return "control-character", (f"JSON strings may not contain control characters; found "
                                         f"{escape.decode()} at byte {match.start()}")
    return None


async def _refuse(send: Send, status: int, rule: str, detail: str, close: bool = False, **values: Any) -> None:
    body = json.dumps({
        "type": PROBLEM_BASE + rule, "title": HTTPStatus(status).phrase, "status": status, "rule": rule,
        "detail": detail, **({"values": values} if values else {}),
    }, ensure_ascii=False).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class _Disconnected(Exception):
    pass
