"""The API under test: a real app on a fresh database, driven through one client helper."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.bootstrap import Services, build_services
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings
from tests.conftest import ADMIN_TOKEN, allow_frozen_time


class Api:
    """One helper for every end-to-end test: tokens in, JSON out."""

    def __init__(self, client: TestClient, services: Services) -> None:
        self.client = client
        self.services = services

    def request(self, method: str, path: str, token: str | None = ADMIN_TOKEN, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.request(method, path, headers=headers, **kwargs)

    def register_org(self, org_id: str = "TC-001", street: str = "城关街道", **extra: Any) -> Any:
        body = {"org_id": org_id, "name": f"{org_id} 股份经济合作社", "street": street,
                "qualification_cutoff": "2020-06-30", **extra}
        response = self.request("POST", "/v1/orgs", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def token(self, role: str, **scope: Any) -> str:
        response = self.request("POST", "/v1/tokens", json={"role": role, **scope})
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def append(self, org_id: str, token: str, events: list[dict[str, Any]], **kwargs: Any) -> Any:
        return self.request("POST", f"/v1/orgs/{org_id}/events", token=token, json={"events": events}, **kwargs)


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, key_file=tmp_path / "log.key",
                        max_body_bytes=256 * 1024)
    built = build_services(settings)
    allow_frozen_time(built.store)
    yield built
    built.engine.dispose()


@pytest.fixture
def api(services: Services) -> Iterator[Api]:
    app = create_app(services.settings, services=services)
    with TestClient(app) as client:
        yield Api(client, services)
