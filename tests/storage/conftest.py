from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ledger.application.append import EventRequest
from ledger.bootstrap import Services, build_services
from ledger.settings import Settings
from tests.conftest import allow_frozen_time


@contextmanager
def built_services(database_url: str, tmp_path: Path, **settings: Any) -> Iterator[Services]:
    """Services on the test's database with these ``Settings`` beyond the defaults; disposed after."""
    built = build_services(Settings(database_url=database_url, key_file=tmp_path / "log.key", **settings))
    allow_frozen_time(built.store)
    yield built
    built.engine.dispose()


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    with built_services(database_url, tmp_path) as built:
        yield built


def register(services: Services, org_id: str = "TC-001", street: str = "城关街道") -> None:
    from datetime import date

    data = {"name": f"{org_id} 股份经济合作社", "street": street, "qualification_cutoff": "2020-06-30"}
    services.appender.append(org_id, "admin:test", [EventRequest("OrganizationRegistered", org_id,
                                                                 date(2020, 1, 1), data)], author="admin")
