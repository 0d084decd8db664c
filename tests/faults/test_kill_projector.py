"""kill -9 of `ledger project --follow` while appends go on: after a restart the read model's views equal a
rebuild's and a replay's, byte for byte (each batch commits its facts with its tracking position)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ledger.bootstrap import Services, build_projector
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from projections.audit_views import answer
from tests.faults.support import free_port

ROOT = Path(__file__).resolve().parents[2]
PERIODS = [Period.parse(p) for p in ("2023-Q2", "2023", "2024-Q4", "2024-07", "2025-Q1")]


def follow(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "ledger", "project", "--follow", "--poll", "0.05"], env=env,
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def test_kill_9_of_the_projector_then_restart_gives_the_views_of_a_rebuild(services: Services, tmp_path: Path) -> None:
    county = plan_county(0.02, 42)
    first, rest = [co.org_id for co in county.cos[:2]], [co.org_id for co in county.cos[2:12]]

    def write_demo_only(only: list[str]) -> None:
        write_county(services.appender, county, only=only)

    write_demo_only(first)
    env = {**os.environ, "LEDGER_DATABASE_URL": services.settings.database_url, "LEDGER_PORT": str(free_port())}
    log = tmp_path / "projector.log"
    writer = threading.Thread(target=write_demo_only, args=(rest,))
    worker = follow(env, log)
    views, before = services.views, services.reader.last_position()
    try:
        deadline = time.monotonic() + 60
        while views.lag()["tracked_position"] < before and time.monotonic() < deadline:
            time.sleep(0.02)
        writer.start()
        while views.lag()["tracked_position"] <= before and time.monotonic() < deadline:  # killed while it works
            time.sleep(0.01)
        killed_at = views.lag()
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        writer.join(120)
        assert before < killed_at["tracked_position"] < services.reader.last_position(), killed_at
        worker = follow(env, log)
        deadline = time.monotonic() + 60
        while views.lag()["behind_positions"] > 0 and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text(errors="replace")
            time.sleep(0.1)
        assert views.lag()["behind_positions"] == 0, log.read_text(errors="replace")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    position = services.reader.last_position()
    orgs = first + rest

    def hashes() -> dict[tuple[str, str], str]:
        found = {}
        for org in orgs:
            for period in PERIODS:
                got = views.view(org, period, position)
                assert got.source == "read-model"
                found[(org, str(period))] = got.sha256
        return found

    followed = hashes()
    build_projector(services.store).rebuild()
    assert hashes() == followed
    for org in orgs:
        for period in PERIODS[:2]:
            known_at = views.co_prefix(org, position)
            assert answer(org, period, known_at, views.replay(org, known_at["position"]))[1] == followed[(org, str(period))]
