"""Who may do what: 401 without a valid token, 403 outside one's CO or role."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api

CUTOFF = {"type": "QualificationCutoffSet", "entity_id": "TC-001", "effective_date": "2025-01-03",
          "data": {"qualification_cutoff": "2020-12-31"}}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_bad_token_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.request("GET", "/v1/orgs", token=None, headers=headers)
    assert response.status_code == 401
    assert response.json()["rule"] == "authentication"
    assert "WWW-Authenticate" in response.headers


def test_revoked_token_is_401(api: Api) -> None:
    api.register_org("TC-001")
    created = api.request("POST", "/v1/tokens", json={"role": "cooperative", "org_id": "TC-001"}).json()
    assert api.request("GET", "/v1/orgs", token=created["token"]).status_code == 200
    assert api.request("DELETE", f"/v1/tokens/{created['token_id']}").status_code == 204
    assert api.request("GET", "/v1/orgs", token=created["token"]).status_code == 401


def test_cooperative_reads_and_appends_only_its_own_co(api: Api) -> None:
    api.register_org("TC-001")
    api.register_org("TC-002")
    coop = api.token("cooperative", org_id="TC-001")
    assert [o["org_id"] for o in api.request("GET", "/v1/orgs", token=coop).json()] == ["TC-001"]
    other = api.request("GET", "/v1/orgs/TC-002/events", token=coop)
    assert other.status_code == 403 and other.json()["rule"] == "org-scope"
    appended = api.append("TC-002", coop, [{**CUTOFF, "entity_id": "TC-002"}])
    assert appended.status_code == 403 and appended.json()["rule"] == "append-scope"


def test_auditor_reads_its_street_only_and_cannot_append(api: Api) -> None:
    api.register_org("TC-001", street="城关街道")
    api.register_org("TC-002", street="胜利街道")
    auditor = api.token("auditor", street="城关街道")
    assert [o["org_id"] for o in api.request("GET", "/v1/orgs", token=auditor).json()] == ["TC-001"]
    assert api.request("GET", "/v1/orgs/TC-002/events", token=auditor).status_code == 403
    assert api.append("TC-001", auditor, [CUTOFF]).status_code == 403
    feed = api.request("GET", "/v1/feed", token=auditor).json()
    assert {e["org_id"] for e in feed["events"]} == {"TC-001"}


def test_only_admins_register_cos_and_issue_tokens(api: Api) -> None:
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    body = {"org_id": "TC-009", "name": "x", "street": "y", "qualification_cutoff": "2020-01-01"}
    assert api.request("POST", "/v1/orgs", token=coop, json=body).json()["rule"] == "role"
    assert api.request("POST", "/v1/tokens", token=coop, json={"role": "admin"}).status_code == 403
    assert api.request("GET", "/v1/feed", token=coop).status_code == 403


def test_token_list_never_shows_secrets_and_store_keeps_only_hashes(api: Api) -> None:
    token = api.token("auditor", street="*")
    listed = api.request("GET", "/v1/tokens").json()
    assert all(row["token"] is None for row in listed)
    from sqlalchemy import text

    with api.services.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM ledger_tokens")).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
