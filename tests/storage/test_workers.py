"""`ledger run --workers N`: several API processes on PostgreSQL; refused on SQLite (one writer)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from ledger.entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_with_two_workers(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url, "LEDGER_KEY_FILE": str(tmp_path / "log.key"),
           "LEDGER_ADMIN_TOKEN": "admin-secret-for-workers", "LEDGER_HOST": "127.0.0.1", "LEDGER_PORT": str(free_port())}
    if database_url.startswith("sqlite"):
        result = CliRunner().invoke(app, ["run", "--workers", "2"], env=env)
        assert result.exit_code != 0 and "need PostgreSQL" in result.output
        return
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "ledger", "run", "--workers", "2"], env=env, cwd=ROOT,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        base, ready = f"http://127.0.0.1:{env['LEDGER_PORT']}", False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not ready and server.poll() is None:
            try:
                ready = httpx.get(base + "/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert ready, log.read_text(errors="replace")
        admin = {"Authorization": "Bearer admin-secret-for-workers"}
        created = httpx.post(base + "/v1/orgs", headers=admin, timeout=10, json={
            "org_id": "TW-001", "name": "两进程村股份经济合作社", "street": "城关街道",
            "qualification_cutoff": "2020-12-31"})
        assert created.status_code == 201, created.text
        assert httpx.get(base + "/v1/orgs/TW-001/log/checkpoint", headers=admin, timeout=10).status_code == 200
        # one line per worker; the second may still be importing when the first answers
        while time.monotonic() < deadline and log.read_text(errors="replace").count("Started server process") < 2:
            time.sleep(0.2)
        assert log.read_text(errors="replace").count("Started server process") == 2, log.read_text(errors="replace")
    finally:
        server.terminate()
        server.wait(timeout=30)
