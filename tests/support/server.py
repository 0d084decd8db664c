"""``ledger run`` in a subprocess for tests that need a real server (the bench, the failover tests).

It migrates the database first (as ``make run`` and compose do), listens on 127.0.0.1 on a free
port, and is ready when ``/readyz`` answers 200.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
OWN_SETTINGS = {"LEDGER_DATABASE_URL", "LEDGER_ADMIN_TOKEN", "LEDGER_HOST", "LEDGER_PORT", "LEDGER_KEY_FILE"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 20.0) -> None:
    """Terminate a child process still running, and kill it if it has not ended within ``timeout``."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


@dataclass
class LedgerServer:
    """``ledger migrate`` then ``ledger run`` on ``database_url``; output appended to ``log_path``."""

    database_url: str
    log_path: Path
    admin_token: str
    key_file: Path
    env: dict[str, str] = field(default_factory=dict)
    """Settings beyond the database, port, token and key (e.g. ``LEDGER_REQUIRE_STANDBY``)."""
    args: tuple[str, ...] = ()
    """Options of ``ledger run`` (e.g. ``--with-projector``)."""
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id (one worker: the process that serves)."""
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        return {**os.environ, "LEDGER_DATABASE_URL": self.database_url, "LEDGER_ADMIN_TOKEN": self.admin_token,
                "LEDGER_HOST": "127.0.0.1", "LEDGER_PORT": str(self.port), "LEDGER_KEY_FILE": str(self.key_file),
                **self.env}

    def start(self, timeout: float = 90.0) -> LedgerServer:
        self.port = self.port or free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = self._environment()
        with open(self.log_path, "ab") as out:
            subprocess.run([sys.executable, "-m", "ledger", "migrate"], env=env, cwd=ROOT, stdout=out,
                           stderr=subprocess.STDOUT, check=True, timeout=120)
            self.process = subprocess.Popen([sys.executable, "-m", "ledger", "run", *self.args], env=env, cwd=ROOT,
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log_path}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the server did not answer /readyz within {timeout} s; see {self.log_path}")

    def settings_note(self) -> dict[str, str]:
        """The LEDGER_* settings it ran with besides its database, port, token and key (none: the defaults)."""
        merged = {**{k: v for k, v in os.environ.items() if k.startswith("LEDGER_")}, **self.env}
        return {k: v for k, v in sorted(merged.items()) if k not in OWN_SETTINGS}

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def __enter__(self) -> LedgerServer:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()
