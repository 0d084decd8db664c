"""Hostile input gets a 4xx problem naming its rule, never a 500: ids, integers, dates, JSON depth, control characters."""
from __future__ import annotations

import json

import pytest

from tests.api.conftest import Api

TOO_BIG = str(2**63)


def cutoff(entity_id: str = "TC-001", **extra: object) -> dict[str, object]:
    return {"type": "QualificationCutoffSet", "entity_id": entity_id, "effective_date": "2025-01-03",
            "data": {"qualification_cutoff": "2020-12-31"}, **extra}


@pytest.fixture
def coop(api: Api) -> str:
    api.register_org("TC-001")
    return api.token("cooperative", org_id="TC-001")


def test_integers_past_their_bound_are_422(api: Api, coop: str) -> None:
    for path in [
        f"/v1/orgs/TC-001/events?after={TOO_BIG}",
        f"/v1/feed?after={TOO_BIG}",
        f"/v1/orgs/TC-001/events?limit={TOO_BIG}",
        f"/v1/orgs/TC-001/log/checkpoint?tree_size={TOO_BIG}",
        f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={TOO_BIG}",
        f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index=0&tree_size={TOO_BIG}",
        f"/v1/orgs/TC-001/log/proofs/consistency?first={TOO_BIG}",
        f"/v1/orgs/TC-001/audit/2025-01?known_at={'9' * 19}",
    ]:
        response = api.request("GET", path)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_periods_outside_the_date_range_are_422(api: Api, coop: str) -> None:
    for period in ["0001", "0001-01", "9999-Q4", "1949-09", "2200"]:
        response = api.request("GET", f"/v1/orgs/TC-001/audit/{period}", token=coop)
        assert response.status_code == 422 and response.json()["rule"] == "period-format", response.text
        assert "1949-10-01" in response.text or "pattern" in response.text


def test_the_range_ends_are_answered(api: Api, coop: str) -> None:
    for period in ("1949-Q4", "1949-10", "2199-12", "2199"):
        assert api.request("GET", f"/v1/orgs/TC-001/audit/{period}", token=coop).status_code == 200, period


def test_known_at_outside_the_date_range_is_422(api: Api, coop: str) -> None:
    for known_at in ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1900-01-01T00:00Z"]:
        response = api.request("GET", "/v1/orgs/TC-001/audit/2025-01", token=coop, params={"known_at": known_at})
        assert response.status_code == 422 and response.json()["rule"] == "known-at-format", response.text


def test_dates_in_bodies_outside_the_range_are_422(api: Api, coop: str) -> None:
    for day in ["0001-01-01", "9999-12-31", "1949-09-30", "2200-01-01"]:
        response = api.append("TC-001", coop, [cutoff(effective_date=day)])
        assert response.status_code == 422 and "1949-10-01..2199-12-31" in response.text
        data = api.append("TC-001", coop, [cutoff(data={"qualification_cutoff": day})])
        assert data.status_code == 422 and "1949-10-01..2199-12-31" in data.text


def test_json_nested_too_deep_is_422(api: Api, coop: str) -> None:
    for depth in [40, 500, 100_000]:
        deep = "[" * depth + "]" * depth
        body = json.dumps({"events": [cutoff(data={"qualification_cutoff": "2020-12-31", "x": "DEEP"})]})
        response = api.request("POST", "/v1/orgs/TC-001/events", token=coop, content=body.replace('"DEEP"', deep).encode(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and response.json()["rule"] == "json-depth", response.text[:300]


def test_deep_data_within_the_limit_is_judged_by_the_payload_contract(api: Api, coop: str) -> None:
    nested = {"events": [cutoff(data={"qualification_cutoff": "2020-12-31", "x": [[[[1]]]]})]}
    response = api.request("POST", "/v1/orgs/TC-001/events", token=coop, json=nested)
    assert response.status_code == 422 and response.json()["rule"] == "payload-schema"


def test_control_characters_in_path_and_query_ids_are_422(api: Api, coop: str) -> None:
    for path in ["/v1/orgs/X%00/events", "/v1/orgs/TC-001/entities/A%00B", "/v1/orgs/TC-001/entities/A%01B/history",
                 "/v1/orgs/TC-001/events?entity_id=A%00", "/v1/orgs/TC-001/events?type=Lease%00"]:
        response = api.request("GET", path, token=coop)
        assert response.status_code == 422, response.text
        assert response.json()["rule"] in ("id-format", "request-schema")


def finding(title: str) -> dict[str, str]:
    return {"finding_id": "F-1", "period": "2025-Q1", "title": title, "detail": "行一\n行二\t完"}


def test_control_characters_in_json_strings_are_422(api: Api, coop: str) -> None:
    auditor = api.token("auditor", street="城关街道")
    for escaped in ["\\u0000", "\\u001b", "\\u007f", "\\\\\\u0000"]:
        body = json.dumps(finding("TITLE")).replace("TITLE", f"租金{escaped}逾期")
        response = api.request("POST", "/v1/orgs/TC-001/findings", token=auditor, content=body.encode(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and response.json()["rule"] == "control-character", response.text


def test_an_escaped_backslash_before_u_and_line_breaks_are_text(api: Api, coop: str) -> None:
    auditor = api.token("auditor", street="城关街道")
    response = api.request("POST", "/v1/orgs/TC-001/findings", token=auditor, json=finding("路径 C:\\u0000dir"))
    assert response.status_code == 201, response.text


def test_entity_ids_outside_the_charset_are_refused_on_append(api: Api, coop: str) -> None:
    for entity_id in ["A/B", "A B", "-A", "A" * 65, "资产1"]:
        event = {"type": "AssetRegistered", "entity_id": entity_id, "effective_date": "2025-01-05",
                 "data": {"name": "门面房", "category": "fixed", "batch_id": "B-1", "book_value": "1.00"}}
        response = api.append("TC-001", coop, [event])
        assert response.status_code == 422, response.text
        assert "entity_id" in response.text


def test_chunked_body_over_the_limit_is_413(api: Api, coop: str) -> None:
    limit = api.services.settings.max_body_bytes

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"events": [' + b" " * 1024
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = api.request("POST", "/v1/orgs/TC-001/events", token=coop, content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["rule"] == "body-size"


def test_authenticated_answers_are_not_cached(api: Api, coop: str) -> None:
    for path in ("/v1/orgs", "/v1/orgs/TC-001/events", "/v1/orgs/TC-002/events", "/v1/orgs/TC-001/entities/nope"):
        assert api.request("GET", path, token=coop).headers["cache-control"] == "no-store", path
    assert "cache-control" not in api.request("GET", "/v1/log/key", token=None).headers
