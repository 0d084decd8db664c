"""kill -9 of the API under retrying clients: every Idempotency-Key is stored exactly once and every log verifies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import httpx
from sqlalchemy import func, select

from ledger.adapters.sql.tables import entries
from ledger.bootstrap import open_readers
from ledger.entrypoints.cli.backup import check_database
from ledger.log.keys import load_or_create_signer
from ledger.settings import Settings
from tests.faults.support import append_until_stored, free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin-secret-for-kill-tests"
CLIENTS, PER_CLIENT, KILLS = 4, 10, 1


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "ledger", "run"], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)


@pytest.mark.parametrize("group_commit_ms", ["0", "5"], ids=["one-commit-each", "group-commit"])
def test_kill_9_of_the_api_under_retrying_clients_stores_each_batch_once(database_url: str, tmp_path: Path,
                                                                        group_commit_ms: str) -> None:
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url, "LEDGER_KEY_FILE": str(tmp_path / "log.key"),
           "LEDGER_ADMIN_TOKEN": ADMIN, "LEDGER_HOST": "127.0.0.1", "LEDGER_PORT": str(port),
           "LEDGER_GROUP_COMMIT_MS": group_commit_ms}
    base, log = f"http://127.0.0.1:{port}", tmp_path / "server.log"
    server = start(env, log)
    try:
        wait_ready(base, process=server)
        admin = {"Authorization": f"Bearer {ADMIN}"}
        for org in ("TK-001", "TK-002"):
            assert httpx.post(base + "/v1/orgs", headers=admin, timeout=10, json={
                "org_id": org, "name": f"{org} 股份经济合作社", "street": "城关街道",
                "qualification_cutoff": "2020-06-30"}).status_code == 201
        tokens = {org: httpx.post(base + "/v1/tokens", headers=admin, timeout=10,
                                  json={"role": "cooperative", "org_id": org}).json()["token"]
                  for org in ("TK-001", "TK-002")}
        seen: dict[str, int] = {}
        errors: list[BaseException] = []
        deadline = time.monotonic() + 90

        def client(n: int) -> None:
            org = ("TK-001", "TK-002")[n % 2]
            try:
                for i in range(PER_CLIENT):
                    event = {"type": "InventoryBatchOpened", "entity_id": f"QC-{n}-{i:03d}",
                             "effective_date": "2024-12-01", "data": {"title": f"清产核资 {n}-{i}"}}
                    append_until_stored(base, tokens[org], org, f"k-{n}-{i}", event, seen, deadline)
            except BaseException as exc:  # collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for _ in range(KILLS):
            time.sleep(0.5)
            server.send_signal(signal.SIGKILL)
            server.wait(30)
            server = start(env, log)
            wait_ready(base, process=server)
        for thread in threads:
            thread.join(120)
        assert errors == [], log.read_text(errors="replace")[-3000:]
        assert seen.get("connection", 0) > 0 and "500" not in seen, seen
    finally:
        server.terminate()
        server.wait(30)
    settings = Settings(database_url=database_url, key_file=tmp_path / "log.key")
    services = open_readers(settings)
    try:
        with services.engine.connect() as conn:
            counts = dict(conn.execute(select(entries.c.idempotency_key, func.count())
                                       .where(entries.c.idempotency_key.like("k-%"))
                                       .group_by(entries.c.idempotency_key)).all())
        assert counts == {f"k-{n}-{i}": 1 for n in range(CLIENTS) for i in range(PER_CLIENT)}
        vkey = load_or_create_signer(settings.key_file, settings.log_origin).vkey
        report = check_database(services, vkey)
        assert report.ok and len(report.passed) == 2, report
    finally:
        services.engine.dispose()
