"""Bad input is refused with a clear problem+json, and nothing is stored."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api


def policy(threshold: object) -> dict[str, object]:
    return {"type": "MajorMatterPolicySet", "entity_id": "TC-001", "effective_date": "2025-01-02",
            "data": {"policy": {"threshold": threshold, "mode": "reject"}}}


@pytest.fixture
def coop(api: Api) -> str:
    api.register_org("TC-001")
    return api.token("cooperative", org_id="TC-001")


def stored_count(api: Api, coop: str) -> int:
    return len(api.request("GET", "/v1/orgs/TC-001/events", token=coop).json()["events"])


@pytest.mark.parametrize("threshold, fragment", [
    (30000.5, "decimal strings in yuan"),
    (30000, "decimal strings in yuan"),
    ("30000.123", "at most two decimals"),
    ("3e4", "decimal strings"),
])
def test_money_must_be_a_yuan_string_with_two_decimals(api: Api, coop: str, threshold: object, fragment: str) -> None:
    response = api.append("TC-001", coop, [policy(threshold)])
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert stored_count(api, coop) == 1


def test_malformed_json_is_422(api: Api, coop: str) -> None:
    response = api.request("POST", "/v1/orgs/TC-001/events", token=coop, content=b'{"events": [',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["rule"] == "request-schema"


def test_unknown_fields_are_refused(api: Api, coop: str) -> None:
    extra_top = api.request("POST", "/v1/orgs/TC-001/events", token=coop,
                            json={"events": [policy("1.00")], "note": "x"})
    assert extra_top.status_code == 422
    extra_event = api.append("TC-001", coop, [{**policy("1.00"), "position": 7}])
    assert extra_event.status_code == 422 and extra_event.json()["index"] == 0
    extra_data = api.append("TC-001", coop, [{**policy("1.00"), "data": {"policy": {}, "x": 1}}])
    assert extra_data.status_code == 422 and extra_data.json()["rule"] == "payload-schema"
    assert stored_count(api, coop) == 1


def test_unknown_event_type_is_refused_naming_it(api: Api, coop: str) -> None:
    response = api.append("TC-001", coop, [{**policy("1.00"), "type": "LeaseSigend"}])
    assert response.status_code == 422
    assert response.json()["rule"] == "unknown-event-type" and "LeaseSigend" in response.json()["detail"]


def test_client_cannot_set_position_or_recorded_time(api: Api, coop: str) -> None:
    response = api.append("TC-001", coop, [{**policy("1.00"), "recorded_at": "2020-01-01T00:00:00Z"}])
    assert response.status_code == 422


def test_empty_and_oversized_batches_are_refused(api: Api, coop: str) -> None:
    assert api.append("TC-001", coop, []).status_code == 422
    assert api.append("TC-001", coop, [policy("1.00")] * 1001).status_code in (413, 422)


def test_body_over_the_limit_is_413(api: Api, coop: str) -> None:
    big = {**policy("1.00"), "data": {"policy": {"matter_codes": ["x" * 400] * 1000}}}
    response = api.append("TC-001", coop, [big])
    assert response.status_code == 413 and response.json()["rule"] == "body-size"
    assert stored_count(api, coop) == 1


def test_effective_date_must_be_an_iso_date(api: Api, coop: str) -> None:
    for bad in ("2025-13-01", "01/02/2025", 20250102):
        response = api.append("TC-001", coop, [{**policy("1.00"), "effective_date": bad}])
        assert response.status_code == 422, bad


def test_appending_to_another_co_is_403_whether_it_exists_or_not(api: Api, coop: str) -> None:
    api.register_org("TC-002")
    unknown = api.append("TC-404", coop, [policy("1.00")])
    other = api.append("TC-002", coop, [policy("1.00")])
    assert unknown.status_code == other.status_code == 403 and unknown.json()["rule"] == "append-scope"
    assert unknown.json()["detail"] == other.json()["detail"].replace("TC-002", "TC-404")


def test_every_response_carries_a_request_id(api: Api, coop: str) -> None:
    response = api.request("GET", "/v1/orgs", token=coop)
    assert len(response.headers["X-Request-ID"]) == 32
    echoed = api.request("GET", "/v1/orgs", token=coop, headers={"X-Request-ID": "support-123"})
    assert echoed.headers["X-Request-ID"] == "support-123"


def test_an_unknown_query_parameter_is_refused_not_ignored(api: Api) -> None:
    page = api.request("GET", "/v1/feed?after=0&limt=5")
    assert page.status_code == 422, page.text
    assert page.json()["rule"] == "query-parameter"
    assert page.json()["values"]["unknown"] == ["limt"]
    assert api.request("GET", "/v1/feed?after=0&limit=5").status_code == 200
