"""The audit cycle over HTTP: views as known at any point, closing Q1, a late correction, findings."""
from __future__ import annotations

from typing import Any

from freezegun import freeze_time

from tests.api.conftest import Api


def voucher(number: str, day: str, amount: str, **extra: Any) -> dict[str, Any]:
    lines = [{"account": "102", "side": "debit", "amount": amount},
             {"account": "501", "side": "credit", "amount": amount, "memo": "门面房租金"}]
    return {"type": "VoucherPosted", "entity_id": number, "effective_date": day,
            "data": {"description": f"收租金 {number}", "lines": lines, **extra}}


def setup_co(api: Api) -> tuple[str, str]:
    api.register_org("TC-001", street="城关街道")
    return api.token("cooperative", org_id="TC-001"), api.token("auditor", street="城关街道")


def test_close_q1_refuse_late_append_accept_adjustment_and_show_both_views(api: Api) -> None:
    coop, auditor = setup_co(api)
    with freeze_time("2025-03-31T10:00:00Z"):
        assert api.append("TC-001", coop, [voucher("V-1", "2025-01-15", "3000.00"),
                                           voucher("V-2", "2025-03-20", "500.00")]).status_code == 201
    with freeze_time("2025-04-05T09:00:00Z"):
        closed = api.request("POST", "/v1/orgs/TC-001/audit/2025-Q1/close", token=auditor, json={})
    assert closed.status_code == 201, closed.text
    closed_hash = closed.json()["view_sha256"]
    assert closed.json()["checkpoint"].startswith("audit-ledger.local/TC-001\n")

    refused = api.append("TC-001", coop, [voucher("V-3", "2025-03-28", "100.00")])
    assert refused.status_code == 409 and refused.json()["rule"] == "period-closed"
    assert "2025-Q1" in refused.json()["detail"]

    adjustment = voucher("V-4", "2025-04-10", "100.00",
                         adjusts={"period": "2025-Q1", "corrects": "V-2", "reason": "漏记三月租金"})
    assert api.append("TC-001", coop, [adjustment]).status_code == 201

    view = api.request("GET", "/v1/orgs/TC-001/audit/2025-Q1", token=auditor).json()
    assert view["closed"]["view_sha256"] == closed_hash
    assert view["closed"]["as_closed"]["sha256"] == closed_hash and view["closed"]["reproduced"] is True
    assert view["as_known"]["sha256"] != closed_hash
    assert [a["entity_id"] for a in view["closed"]["adjustments"]] == ["V-4"]


def test_a_period_is_closed_once_by_an_auditor_after_it_ends(api: Api) -> None:
    coop, auditor = setup_co(api)
    api.append("TC-001", coop, [voucher("V-1", "2025-01-15", "3000.00")])
    early = api.request("POST", "/v1/orgs/TC-001/audit/2025-Q1/close", token=auditor, json={"closed_on": "2025-03-30"})
    assert early.status_code == 422 and early.json()["rule"] == "period-not-ended"
    by_coop = api.request("POST", "/v1/orgs/TC-001/audit/2025-Q1/close", token=coop, json={"closed_on": "2025-04-02"})
    assert by_coop.status_code == 403
    first = api.request("POST", "/v1/orgs/TC-001/audit/2025-Q1/close", token=auditor, json={"closed_on": "2025-04-02"})
    assert first.status_code == 201
    again = api.request("POST", "/v1/orgs/TC-001/audit/2025-Q1/close", token=auditor, json={"closed_on": "2025-04-03"})
    assert again.status_code == 409
    direct = api.append("TC-001", coop, [{"type": "PeriodClosed", "entity_id": "PERIOD-2025-Q2",
                                          "effective_date": "2025-07-02", "data": {}}])
    assert direct.status_code == 422 and direct.json()["rule"] == "event-author"


def test_a_view_as_known_at_a_past_point_never_changes(api: Api) -> None:
    with freeze_time("2025-01-01T00:00:00Z"):
        coop, auditor = setup_co(api)
    with freeze_time("2025-02-01T00:00:00Z"):
        first = api.append("TC-001", coop, [voucher("V-1", "2025-01-15", "3000.00")]).json()
    position = first["events"][0]["position"]
    then = api.request("GET", f"/v1/orgs/TC-001/audit/2025-01?known_at={position}", token=coop).json()
    with freeze_time("2025-02-03T00:00:00Z"):
        api.append("TC-001", coop, [voucher("V-2", "2025-01-31", "10.00")])
    again = api.request("GET", f"/v1/orgs/TC-001/audit/2025-01?known_at={position}", token=coop).json()
    by_time = api.request("GET", "/v1/orgs/TC-001/audit/2025-01?known_at=2025-02-02T00:00:00Z", token=coop).json()
    now = api.request("GET", "/v1/orgs/TC-001/audit/2025-01", token=coop).json()
    assert again["as_known"]["sha256"] == then["as_known"]["sha256"] == by_time["as_known"]["sha256"]
    assert now["as_known"]["sha256"] != then["as_known"]["sha256"]
    assert then["as_known"]["view"]["known_at"]["position"] == position


def test_bad_period_and_known_at_are_refused_clearly(api: Api) -> None:
    coop, _ = setup_co(api)
    bad_period = api.request("GET", "/v1/orgs/TC-001/audit/2025-13", token=coop)
    assert bad_period.status_code == 422 and bad_period.json()["rule"] == "period-format"
    bad_time = api.request("GET", "/v1/orgs/TC-001/audit/2025-01?known_at=yesterday", token=coop)
    assert bad_time.status_code == 422 and bad_time.json()["rule"] == "known-at-format"


def test_findings_are_recorded_and_rectified_by_auditors(api: Api) -> None:
    coop, auditor = setup_co(api)
    body = {"finding_id": "F-2025-01", "period": "2025-Q1", "title": "门面房3号租金逾期", "detail": "欠租三个月",
            "severity": "high", "recorded_on": "2025-04-06"}
    assert api.request("POST", "/v1/orgs/TC-001/findings", token=coop, json=body).status_code == 403
    assert api.request("POST", "/v1/orgs/TC-001/findings", token=auditor, json=body).status_code == 201
    fixed = api.request("POST", "/v1/orgs/TC-001/findings/F-2025-01/rectification", token=auditor,
                        json={"rectification": "已催缴并收回欠租", "recorded_on": "2025-05-01"})
    assert fixed.status_code == 201
    history = api.request("GET", "/v1/orgs/TC-001/entities/F-2025-01/history", token=coop).json()
    assert [e["type"] for e in history] == ["FindingRecorded", "FindingRectified"]
    assert history[0]["data"]["title"] == "门面房3号租金逾期"
