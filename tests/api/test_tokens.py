"""Tokens: env admin rotation, expiry, ledger-named subjects, failed-authentication limit, scope before lookup."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from ledger.adapters.sql.tokens import issue_token
from ledger.bootstrap import build_services
from ledger.entrypoints.cli.main import app as cli
from tests.api.conftest import Api
from tests.conftest import ADMIN_TOKEN

CUTOFF = {"type": "QualificationCutoffSet", "entity_id": "TC-001", "effective_date": "2025-01-03",
          "data": {"qualification_cutoff": "2020-12-31"}}


def test_restarting_with_a_new_env_admin_token_revokes_the_previous_one(api: Api) -> None:
    assert api.request("GET", "/v1/orgs").status_code == 200
    rotated = build_services(replace(api.services.settings, admin_token="lgr_rotated_admin"))
    rotated.engine.dispose()
    assert api.request("GET", "/v1/orgs").status_code == 401
    assert api.request("GET", "/v1/orgs", token="lgr_rotated_admin").status_code == 200
    again = build_services(replace(api.services.settings, admin_token=ADMIN_TOKEN))  # the old value stays refused
    again.engine.dispose()
    assert api.request("GET", "/v1/orgs").status_code == 401


def test_hello_does_not_advertise_a_revoked_env_token(api: Api) -> None:
    env = {"LEDGER_DATABASE_URL": api.services.settings.database_url, "LEDGER_ADMIN_TOKEN": ADMIN_TOKEN}
    assert "the value of LEDGER_ADMIN_TOKEN" in CliRunner().invoke(cli, ["hello"], env=env).output
    env_token = next(t for t in api.request("GET", "/v1/tokens").json() if t["subject"].startswith("admin:env:"))
    other_admin = api.token("admin")
    assert api.request("DELETE", f"/v1/tokens/{env_token['token_id']}", token=other_admin).status_code == 204
    said = CliRunner().invoke(cli, ["hello"], env=env).output
    assert "LEDGER_ADMIN_TOKEN is revoked" in said and "the value of LEDGER_ADMIN_TOKEN" not in said


def test_an_expired_token_is_401_saying_so(api: Api) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=30)
    issued = issue_token(api.services.engine, "admin", expires_at=past + timedelta(days=1), now=past)
    response = api.request("GET", "/v1/orgs", token=issued.token)
    assert response.status_code == 401 and response.json()["rule"] == "token-expired"
    assert issued.token_id in response.json()["detail"] and "expired at" in response.json()["detail"]
    assert "error=\"invalid_token\"" in response.headers["WWW-Authenticate"]


def test_expiry_is_set_through_the_api_and_the_cli(api: Api) -> None:
    later = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    created = api.request("POST", "/v1/tokens", json={"role": "admin", "expires_at": later})
    assert created.status_code == 201 and created.json()["expires_at"].endswith("+00:00")
    assert api.request("GET", "/v1/orgs", token=created.json()["token"]).status_code == 200
    past = api.request("POST", "/v1/tokens", json={"role": "admin", "expires_at": "2020-01-01T00:00:00Z"})
    assert past.status_code == 422 and past.json()["rule"] == "token-expiry"
    naive = api.request("POST", "/v1/tokens", json={"role": "admin", "expires_at": "2030-01-01T00:00:00"})
    assert naive.status_code == 422
    env = {"LEDGER_DATABASE_URL": api.services.settings.database_url}
    said = CliRunner().invoke(cli, ["tokens", "create", "--role", "admin", "--expires", "2199-01-01"], env=env)
    assert said.exit_code == 0 and '"expires_at": "2199-01-01T00:00:00+00:00"' in said.output
    listed = {t["token_id"]: t for t in api.request("GET", "/v1/tokens").json()}
    assert all(t["created_at"].endswith("+00:00") for t in listed.values())


def test_subjects_are_named_by_the_ledger_and_recorded_as_the_actor(api: Api) -> None:
    api.register_org("TC-001")
    chosen = api.request("POST", "/v1/tokens", json={"role": "cooperative", "org_id": "TC-001",
                                                     "subject": "admin:env"})
    assert chosen.status_code == 422
    first = api.request("POST", "/v1/tokens", json={"role": "cooperative", "org_id": "TC-001"}).json()
    second = api.request("POST", "/v1/tokens", json={"role": "cooperative", "org_id": "TC-001"}).json()
    assert first["subject"] == f"cooperative:TC-001:{first['token_id']}" != second["subject"]
    assert api.append("TC-001", first["token"], [CUTOFF]).status_code == 201
    events = api.request("GET", "/v1/orgs/TC-001/events").json()["events"]
    assert events[-1]["actor"] == first["subject"]
    assert events[0]["actor"].startswith("admin:env:")


def test_failed_authentications_past_the_limit_get_429_with_retry_after(api: Api) -> None:
    limit = api.services.settings.auth_failures_per_minute
    statuses = [api.request("GET", "/v1/orgs", token=f"lgr_guess_{i}").status_code for i in range(limit)]
    assert statuses == [401] * limit
    refused = api.request("GET", "/v1/orgs", token="lgr_guess_more")
    assert refused.status_code == 429 and refused.json()["rule"] == "auth-rate"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.request("GET", "/v1/orgs").status_code == 429  # not even a valid token is looked up meanwhile


def test_out_of_scope_answers_the_same_whether_the_co_exists_or_not(api: Api) -> None:
    api.register_org("TC-001", street="城关街道")
    api.register_org("TC-002", street="胜利街道")
    for token in (api.token("auditor", street="城关街道"), api.token("cooperative", org_id="TC-001")):
        existing = api.request("GET", "/v1/orgs/TC-002/audit/2025-Q1", token=token)
        unknown = api.request("GET", "/v1/orgs/TC-999/audit/2025-Q1", token=token)
        assert existing.status_code == unknown.status_code == 403
        one, other = existing.json(), unknown.json()
        assert one.pop("instance").replace("TC-002", "TC-999") == other.pop("instance")
        assert json_text(one).replace("TC-002", "TC-999") == json_text(other)
        assert "TC-002" in one["detail"] and ("城关街道" in one["detail"] or "CO TC-001" in one["detail"])
        assert "胜利街道" not in json_text(one)
    everywhere = api.token("auditor", street="*")
    assert api.request("GET", "/v1/orgs/TC-999/audit/2025-Q1", token=everywhere).status_code == 404


def json_text(body: dict[str, object]) -> str:
    import json

    return json.dumps(body, sort_keys=True, ensure_ascii=False)
