"""The ledger platform over HTTP: registration, append, paging, idempotency, versions, atomicity."""
from __future__ import annotations

from freezegun import freeze_time

from tests.api.conftest import Api

POLICY = {"type": "MajorMatterPolicySet", "entity_id": "TC-001", "effective_date": "2025-01-02",
          "data": {"policy": {"threshold": "30000.00", "matter_codes": ["M01", "M02"], "mode": "flag"}}}
CUTOFF = {"type": "QualificationCutoffSet", "entity_id": "TC-001", "effective_date": "2025-01-03",
          "data": {"qualification_cutoff": "2020-12-31"}}


def test_register_org_then_append_two_events_and_page_them(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    with freeze_time("2026-03-01T08:00:00Z"):
        response = api.append("TC-001", coop, [POLICY, CUTOFF])
    assert response.status_code == 201, response.text
    events = response.json()["events"]
    assert [e["type"] for e in events] == ["MajorMatterPolicySet", "QualificationCutoffSet"]
    assert [e["entity_version"] for e in events] == [2, 3]
    assert events[0]["position"] < events[1]["position"]
    assert events[0]["recorded_at"] == "2026-03-01T08:00:00+00:00"
    assert [e["leaf_index"] for e in events] == [1, 2]

    page = api.request("GET", "/v1/orgs/TC-001/events?limit=2", token=coop).json()
    assert [e["type"] for e in page["events"]] == ["OrganizationRegistered", "MajorMatterPolicySet"]
    rest = api.request("GET", f"/v1/orgs/TC-001/events?after={page['next_after']}", token=coop).json()
    assert [e["type"] for e in rest["events"]] == ["QualificationCutoffSet"]
    assert rest["next_after"] is None
    stored = rest["events"][0]
    assert stored["actor"].startswith("cooperative:TC-001")
    assert stored["effective_date"] == "2025-01-03"
    assert page["events"][1]["data"]["policy"]["threshold"] == "30000.00"


def test_events_filter_by_type_and_entity(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    api.append("TC-001", coop, [POLICY, CUTOFF, POLICY])
    by_type = api.request("GET", "/v1/orgs/TC-001/events?type=MajorMatterPolicySet", token=coop).json()
    assert [e["entity_version"] for e in by_type["events"]] == [2, 4]
    by_entity = api.request("GET", "/v1/orgs/TC-001/events?entity_id=TC-001", token=coop).json()
    assert len(by_entity["events"]) == 4


def test_entity_state_and_history(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    api.append("TC-001", coop, [CUTOFF])
    state = api.request("GET", "/v1/orgs/TC-001/entities/TC-001", token=coop).json()
    assert state["kind"] == "organization" and state["version"] == 2
    assert state["state"]["qualification_cutoff"] == "2020-12-31"
    history = api.request("GET", "/v1/orgs/TC-001/entities/TC-001/history", token=coop).json()
    assert [e["type"] for e in history] == ["OrganizationRegistered", "QualificationCutoffSet"]
    missing = api.request("GET", "/v1/orgs/TC-001/entities/NOPE", token=coop)
    assert missing.status_code == 404 and missing.json()["rule"] == "entity-exists"


def test_one_bad_event_in_a_batch_stores_nothing(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    bad = {**CUTOFF, "data": {"qualification_cutoff": "not a date"}}
    response = api.append("TC-001", coop, [POLICY, CUTOFF, bad])
    assert response.status_code == 422
    problem = response.json()
    assert problem["index"] == 2 and problem["rule"] == "payload-schema"
    assert response.headers["content-type"].startswith("application/problem+json")
    page = api.request("GET", "/v1/orgs/TC-001/events", token=coop).json()
    assert [e["type"] for e in page["events"]] == ["OrganizationRegistered"]
    after = api.append("TC-001", coop, [CUTOFF]).json()
    assert after["events"][0]["leaf_index"] == 1, "the refused batch left no leaf behind"


def test_same_idempotency_key_and_body_returns_the_original_response(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    first = api.append("TC-001", coop, [POLICY], headers={"Idempotency-Key": "k-1"})
    again = api.append("TC-001", coop, [POLICY], headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    page = api.request("GET", "/v1/orgs/TC-001/events", token=coop).json()
    assert len(page["events"]) == 2
    assert page["events"][1]["idempotency_key"] == "k-1"


def test_same_idempotency_key_with_another_body_is_409(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    api.append("TC-001", coop, [POLICY], headers={"Idempotency-Key": "k-1"})
    response = api.append("TC-001", coop, [CUTOFF], headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 409 and response.json()["rule"] == "idempotency-key-reuse"


def test_expected_version_mismatch_is_409_naming_entity_and_versions(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    response = api.append("TC-001", coop, [{**CUTOFF, "expected_version": 5}])
    assert response.status_code == 409
    problem = response.json()
    assert problem["rule"] == "version-conflict"
    assert problem["values"] == {"entity_id": "TC-001", "expected_version": 5, "actual_version": 1}
    assert "TC-001" in problem["detail"]
    assert api.append("TC-001", coop, [{**CUTOFF, "expected_version": 1}]).status_code == 201


def test_registering_an_existing_org_is_409(api: Api) -> None:
    api.register_org("TC-001")
    response = api.request("POST", "/v1/orgs", json={"org_id": "TC-001", "name": "x", "street": "y",
                                                     "qualification_cutoff": "2020-01-01"})
    assert response.status_code == 409 and response.json()["rule"] == "entity-exists"


def test_health_and_readiness(api: Api) -> None:
    assert api.request("GET", "/healthz", token=None).json() == {"status": "ok"}
    ready = api.request("GET", "/readyz", token=None)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
