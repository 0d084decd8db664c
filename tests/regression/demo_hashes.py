"""The demo county's audit-view hashes and log roots, to prove a refactor changed no byte.

``python -m tests.regression.demo_hashes DATABASE_URL OUT.json`` seeds ``seed-demo --scale 0.02
--seed 42`` under a frozen clock (recorded times are then the same in every run, so leaf hashes
and roots are too) and writes, for every CO, the SHA-256 of every month, quarter and year view of
2023-2025 as known now, and its log's tree size and root hash. ``test_demo_hashes.py`` compares
a fresh run with the file kept beside this module. The views are asked under the books rules v1
(``?rules=1``, ``projections.views.rules``): the bytes those events always gave.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

from fastapi.testclient import TestClient
from freezegun import freeze_time

ADMIN = "lgr_regression_admin"
FROZEN_AT = "2026-01-15 08:00:00"
PERIODS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)] + \
    [f"{y}-Q{q}" for y in (2023, 2024, 2025) for q in range(1, 5)] + ["2023", "2024", "2025"]


def _app(database_url: str, key_file: Path) -> tuple[Any, Any]:
    from ledger.bootstrap import build_services
    from ledger.entrypoints.http.app import create_app
    from ledger.settings import Settings

    settings = Settings(database_url=database_url, admin_token=ADMIN, key_file=key_file)
    services = build_services(settings)
    return services, create_app(settings, services=services)


def collect(database_url: str, key_file: Path, scale: float = 0.02, seed: int = 42,
            also: Callable[[Any, dict[str, str]], None] | None = None) -> dict[str, Any]:
    """Seed the demo county under a frozen clock, then hash every view of every CO (and run ``also(client,
    auditor headers)`` on the same county, for checks that need it)."""
    from ledger.bootstrap import write_demo
    from tests.conftest import allow_frozen_time

    services, app = _app(database_url, key_file)
    try:
        allow_frozen_time(services.store)
        with freeze_time(FROZEN_AT):
            write_demo(services, scale, seed, profile="2023-legacy")
        out: dict[str, Any] = {}
        with TestClient(app) as client:
            auth = {"Authorization": f"Bearer {ADMIN}"}
            made = client.post("/v1/tokens", headers=auth, json={"role": "auditor", "street": "*"})
            assert made.status_code == 201, made.text
            token = made.json()["token"]
            read = {"Authorization": f"Bearer {token}"}
            for org in client.get("/v1/orgs", headers=auth).json():
                org_id = org["org_id"]
                checkpoint = client.get(f"/v1/orgs/{org_id}/log/checkpoint?format=json", headers=read).json()
                views = {}
                for period in PERIODS:
                    response = client.get(f"/v1/orgs/{org_id}/audit/{period}?rules=1", headers=read)
                    assert response.status_code == 200, (org_id, period, response.text)
                    views[period] = response.json()["as_known"]["sha256"]
                out[org_id] = {"tree_size": checkpoint["tree_size"], "root_hash": checkpoint["root_hash"],
                               "views": views}
            if also is not None:
                also(client, read)
        return out
    finally:
        services.engine.dispose()


if __name__ == "__main__":
    url, target = sys.argv[1], Path(sys.argv[2])
    result = collect(url, target.with_suffix(".key"))
    target.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(result)} COs, {sum(len(v['views']) for v in result.values())} views -> {target}")
