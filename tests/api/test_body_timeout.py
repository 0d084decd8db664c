"""A trickling request body is answered 408 and its connection closed after LEDGER_BODY_TIMEOUT_S (a real server)."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import uvicorn

from ledger.bootstrap import Services
from ledger.entrypoints.http.app import create_app
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def server(services: Services) -> Iterator[tuple[str, int]]:
    settings = replace(services.settings, body_timeout_s=1.0)
    config = uvicorn.Config(create_app(settings, services=services), host="127.0.0.1", port=0, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield "127.0.0.1", port
    running.should_exit = True
    thread.join(timeout=10)


def test_a_trickling_body_is_cut_off_with_408(server: tuple[str, int]) -> None:
    started = time.monotonic()
    with socket.create_connection(server, timeout=5) as conn:
        conn.sendall(b"POST /v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + ADMIN_TOKEN.encode() + b"\r\nContent-Length: 1000\r\n\r\n{")
        answer = b""
        try:
            for _ in range(40):  # one byte every 0.1 s: never 1,000 bytes within the timeout
                conn.sendall(b" ")
                time.sleep(0.1)
                conn.setblocking(False)
                try:
                    answer += conn.recv(65536)
                except BlockingIOError:
                    pass
                finally:
                    conn.setblocking(True)
                if answer:
                    break
            conn.settimeout(3)
            while chunk := conn.recv(65536):
                answer += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"body-timeout" in answer and b"connection: close" in answer.lower()
    assert elapsed < 4.5, elapsed  # answered at ~1 s, and the server closed the connection (recv returned b"")
