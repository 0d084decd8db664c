"""One structured access-log line per request; never a token or a body."""
from __future__ import annotations

import json
import logging

import pytest

from tests.api.conftest import Api
from tests.conftest import ADMIN_TOKEN


def test_one_json_line_per_request_with_id_actor_org_route_status_latency(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        response = api.request("GET", "/v1/orgs/TC-001/events", token=coop)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ledger.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["actor"].startswith("cooperative:TC-001")
    assert line["org_id"] == "TC-001"
    assert line["route"] == "/v1/orgs/{org_id}/events"
    assert line["status"] == 200 and line["latency_ms"] >= 0
    text = caplog.text
    assert coop not in text and ADMIN_TOKEN not in text


def test_refused_requests_are_logged_too(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        api.request("GET", "/v1/orgs", token="wrong")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ledger.access"]
    assert lines[-1]["status"] == 401 and lines[-1]["actor"] is None
    assert "wrong" not in caplog.text
