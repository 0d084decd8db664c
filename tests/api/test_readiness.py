"""/readyz reports the database, the projector and the read model's lag; view answers say how far behind it is."""
from __future__ import annotations

import json
import logging
import threading
import time

import psycopg2
import pytest
from sqlalchemy.exc import OperationalError

from ledger.bootstrap import build_projector
from projections.projector import backoff
from tests.api.conftest import Api


def transient() -> OperationalError:
    return OperationalError("SELECT 1", {}, psycopg2.OperationalError("server closed the connection unexpectedly"))


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, base=0.5, cap=4) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]


def test_a_failing_projector_retries_logs_and_makes_readyz_503_until_it_recovers(
        api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    api.register_org("TC-001")
    projector = api.services.projector = build_projector(api.services.store)
    real, calls = projector.run_once, {"n": 0}
    failing = threading.Event()
    failing.set()

    def flaky(progress=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if failing.is_set():
            raise transient()
        return real(progress)

    monkeypatch.setattr(projector, "run_once", flaky)
    stop = threading.Event()
    caplog.set_level(logging.ERROR, logger="ledger.projector")
    worker = threading.Thread(target=projector.follow, args=(stop,), kwargs={"poll_seconds": 0.01, "max_backoff": 0.05})
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while calls["n"] < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        ready = api.request("GET", "/readyz", token=None)
        assert ready.status_code == 503 and ready.headers["retry-after"], ready.text
        assert ready.json()["projector"]["state"] == "retrying"
        assert "server closed the connection" in ready.json()["projector"]["last_error"]
        failing.clear()
        while projector.state.state != "running" and time.monotonic() < deadline:
            time.sleep(0.01)
        ready = api.request("GET", "/readyz", token=None)
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["projector"]["state"] == "running" and body["projector"]["failures"] == 0
        assert body["projector"]["lag"]["behind_positions"] == 0 and body["database"]["status"] == "up"
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive() and projector.state.state == "stopped"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ledger.projector"]
    assert len(lines) >= 2 and all(line["event"] == "projector-failed" and line["transient"] for line in lines)


def test_a_view_answer_says_where_it_came_from_and_how_far_behind_the_read_model_is(api: Api) -> None:
    api.register_org("TC-001")
    auditor = api.token("auditor", street="城关街道")
    first = api.request("GET", "/v1/orgs/TC-001/audit/2020-Q1", token=auditor).json()["as_known"]
    assert first["source"] == "replay" and first["read_model"]["behind_positions"] == 1
    assert first["read_model"]["behind_seconds"] >= 0
    build_projector(api.services.store).run_once()
    second = api.request("GET", "/v1/orgs/TC-001/audit/2020-Q1", token=auditor).json()["as_known"]
    assert second["source"] == "read-model" and second["read_model"]["behind_positions"] == 0
    assert second["sha256"] == first["sha256"] and "read_model" not in second["view"]


def test_readyz_without_an_in_process_projector_reports_it_external_with_the_lag(api: Api) -> None:
    api.register_org("TC-001")
    body = api.request("GET", "/readyz", token=None).json()
    assert body["status"] == "ready" and body["projector"]["state"] == "external"
    assert body["projector"]["lag"]["behind_positions"] == 1
