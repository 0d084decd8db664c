"""Schemathesis over every operation with every check, as admin, auditor and cooperative (SQLite, in process).

The spec documents each status an operation can return with the problem+json schema; schema-valid
requests refused 422 name a ledger rule, never ``request-schema`` (spec and validation agree).
Bounded by tests/contract/schemathesis.toml's example counts.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig

from ledger.bootstrap import build_services, migrate
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.conftest import ADMIN_TOKEN

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
ROLES = ("admin", "auditor", "cooperative")
CUTOFF = {"type": "QualificationCutoffSet", "entity_id": "TC-001", "effective_date": "2025-01-03",
          "data": {"qualification_cutoff": "2020-12-31"}}


def build_ledger(folder: Path) -> tuple[FastAPI, dict[str, str], Any]:
    """A ledger with one CO (TC-001) and an event, and a token of each role; failures never rate-limited here."""
    settings = Settings(database_url=f"sqlite:///{folder / 'ledger.db'}", admin_token=ADMIN_TOKEN,
                        key_file=folder / "log.key", max_body_bytes=256 * 1024, auth_failures_per_minute=10**9)
    migrate(settings)
    services = build_services(settings)
    app = create_app(settings, services=services)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(app) as client:
        assert client.post("/v1/orgs", headers=admin, json={
            "org_id": "TC-001", "name": "东关社区股份经济合作社", "street": "城关街道",
            "qualification_cutoff": "2020-06-30"}).status_code == 201
        tokens = {"admin": ADMIN_TOKEN}
        for role, scope in (("auditor", {"street": "城关街道"}), ("cooperative", {"org_id": "TC-001"})):
            tokens[role] = client.post("/v1/tokens", headers=admin, json={"role": role, **scope}).json()["token"]
        appended = client.post("/v1/orgs/TC-001/events", headers={"Authorization": f"Bearer {tokens['cooperative']}"},
                               json={"events": [CUTOFF]})
        assert appended.status_code == 201, appended.text
    return app, tokens, services


# Schemathesis reads the spec when the tests are collected: the ledger is built then, in a folder of its own.
FOLDER = Path(tempfile.mkdtemp(prefix="ledger-contract-"))
APP, TOKENS, SERVICES = build_ledger(FOLDER)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _drop_the_ledger() -> Iterator[None]:
    yield
    SERVICES.engine.dispose()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schemathesis.check
def spec_and_validation_agree(ctx: Any, response: Any, case: Any) -> None:
    """A request the spec allows is never refused for breaking the spec (422 request-schema)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    body = response.json()
    if body.get("rule") == "request-schema":
        raise AssertionError(f"the spec allows this request but the API refuses its schema: {body.get('detail')}")


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_every_operation_as_each_role(case: Any, role: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKENS[role]}"})
