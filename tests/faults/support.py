"""Helpers of the fault tests: a TCP proxy to cut the database off, a server on a free port, retrying clients."""
from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops every connection and refuses new ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.up = threading.Event()
        self.up.set()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="proxy").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self) -> None:
        self.up.clear()
        with self._lock:
            open_now = list(self._sockets)
        for sock in open_now:
            self._drop(sock)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()


def wait_ready(base: str, seconds: float = 60, process: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} did not come up in {seconds} s")


def append_until_stored(base: str, token: str, org_id: str, key: str, event: dict[str, Any], seen: dict[str, int],
                        deadline: float) -> httpx.Response:
    """POST one batch with its Idempotency-Key until it is answered 2xx; counts the answers met on the way."""
    while time.monotonic() < deadline:
        try:
            response = httpx.post(f"{base}/v1/orgs/{org_id}/events", json={"events": [event]}, timeout=10,
                                  headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
        except httpx.HTTPError:
            seen["connection"] = seen.get("connection", 0) + 1
            time.sleep(0.05)
            continue
        seen[str(response.status_code)] = seen.get(str(response.status_code), 0) + 1
        if response.status_code < 300:
            return response
        if response.status_code == 503:
            assert response.headers.get("retry-after"), response.headers
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["rule"] == "database-unavailable"
            time.sleep(0.05)
            continue
        raise AssertionError(f"{response.status_code} {response.text}")
    raise AssertionError(f"{key} not stored before the deadline; answers so far: {seen}")
