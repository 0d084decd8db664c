"""The ledger on a pg_auto_failover cluster, losing its primary twice (docs/operations.md).

Runs when ``pg_autoctl`` is installed (``.ci/run`` installs Debian's postgresql-15-auto-failover;
under CI=true a missing one fails the run). Bounded: about two minutes on this machine.
"""
from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ha.cluster import Cluster, available
from tests.ha.failover import LedgerServer, Seen, Writer, admin, demo_cos, register, stored_keys

WRITES_RESUME_WITHIN_S = 60
"""Generous: ~13-16 s measured with the tuned timeouts (bench-results/ha-failover*.json)."""


def _free_base_port(count: int = 4) -> int:
    for base in range(26500, 30000, 10):
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    reason = available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the HA test is required in CI: {reason}")
        pytest.skip(reason)
    work = Path(tempfile.mkdtemp(prefix="ledger-ha-test-"))
    built = Cluster(work / "cluster", base_port=_free_base_port())
    try:
        built.start()
        yield built
    finally:
        built.stop()
        for leftover in work.glob("*"):
            if leftover.is_file():
                leftover.unlink()
        work.rmdir() if not any(work.iterdir()) else None


def test_two_primaries_lost_under_retrying_writers(cluster: Cluster) -> None:
    work = cluster.base.parent
    server = LedgerServer(cluster.url(), work, {
        "LEDGER_REQUIRE_STANDBY": "true",
        "LEDGER_READ_DATABASE_URL": cluster.url("prefer-standby"),
    }).start()
    seen, stop = Seen(), threading.Event()
    try:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            cos = demo_cos(3, prefix="HT")
            writers = [Writer(server.base, co, register(client, co), seen, stop, limit=100_000) for co in cos]
        for writer in writers:
            writer.start()
        stopped: list[float] = []
        for _ in range(2):
            time.sleep(3)
            victim = cluster.primary()
            assert victim is not None, cluster.states()
            killed_at = cluster.kill(victim)
            deadline = killed_at + WRITES_RESUME_WITHIN_S
            while time.monotonic() < deadline and not any(a.sent > killed_at for a in seen.acks):
                time.sleep(0.1)
            resumed = [a.at for a in seen.acks if a.sent > killed_at]
            if not resumed:  # the cluster's directory is removed after the test: keep what explains it
                kept = cluster.keep_logs(work / "ledger.log")
                pytest.fail(f"writes did not resume within {WRITES_RESUME_WITHIN_S} s of killing {victim} "
                            f"(kill {len(stopped) + 1} of 2; states {cluster.states()}; failures "
                            f"{dict(seen.failures)}; logs kept in {kept})")
            stopped.append(min(resumed) - killed_at)
            cluster.rejoin(victim)
            cluster.wait_healthy(timeout=180)
        time.sleep(2)
        stop.set()
        for writer in writers:
            writer.join(timeout=60)

        primary = cluster.primary()
        assert primary is not None
        stored = stored_keys(cluster.node(primary).dsn.rsplit("/", 1)[0] + "/" + cluster.database)
        acked = {a.key for a in seen.acks}
        assert len(seen.acks) > 100, seen.failures
        assert acked <= set(stored), f"acknowledged but lost: {sorted(acked - set(stored))[:10]}"
        assert all(count == 1 for count in stored.values()), "an Idempotency-Key stored twice"
        assert not seen.unexpected, seen.unexpected[:5]  # only 503 (+ Retry-After) and broken connections
        assert set(seen.failures) <= {"503", "ConnectError", "ReadError", "RemoteProtocolError", "ReadTimeout"}, \
            seen.failures
        assert seen.retry_after and all(value.isdigit() for value in seen.retry_after)
        print(f"writes stopped {[round(s, 1) for s in stopped]} s; {len(seen.acks)} acks; {seen.failures}")

        _logs_verify_and_views_equal_a_rebuild(cluster, work, [co.org_id for co in cos])
        _a_standby_answers_exactly_for_its_position(server, cluster, cos[0].org_id)
    finally:
        stop.set()
        server.stop()


def _services_on_primary(cluster: Cluster, work: Path):  # type: ignore[no-untyped-def]
    from ledger.bootstrap import build_services
    from ledger.settings import Settings

    return build_services(Settings(database_url=cluster.url(), key_file=work / "log.key"))


def _logs_verify_and_views_equal_a_rebuild(cluster: Cluster, work: Path, org_ids: list[str]) -> None:
    from ledger.application.export import export
    from ledger.bootstrap import build_projector
    from ledger.verify.export import verify_export_dir
    from projections.audit_views import parse_period

    services = _services_on_primary(cluster, work)
    try:
        for org_id in org_ids:
            out = work / f"export-{org_id}"
            export(services.proofs, org_id, out, services.signer.vkey)
            result = verify_export_dir(out, services.signer.vkey)
            assert result.ok, [f.message for f in result.failures]
        position = services.reader.last_position()
        periods = [parse_period(p) for p in ("2023", "2023-Q4", "2024-06")]
        before = {(o, str(p)): services.views.view(o, p, position).sha256 for o in org_ids for p in periods}
        build_projector(services.store).rebuild()
        after = {(o, str(p)): services.views.view(o, p, position).sha256 for o in org_ids for p in periods}
        assert before == after
    finally:
        services.engine.dispose()


def _a_standby_answers_exactly_for_its_position(server: LedgerServer, cluster: Cluster, org_id: str) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        token = client.post("/v1/tokens", json={"role": "cooperative", "org_id": org_id},
                            headers=admin()).json()["token"]
        answer = client.get(f"/v1/orgs/{org_id}/audit/2023", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Ledger-Read-From"] == "replica"
    view = answer.json()["as_known"]
    position = view["view"]["known_at"]["position"]
    services = _services_on_primary(cluster, server.workdir)
    try:
        from projections.audit_views import parse_period

        on_primary = services.views.view(org_id, parse_period("2023"), position)
        assert on_primary.sha256 == view["sha256"]
    finally:
        services.engine.dispose()
