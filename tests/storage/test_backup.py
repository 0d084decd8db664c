"""`ledger backup` / `ledger restore`: a round trip on each database, and the restore check that proves it."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ledger.application import auditing
from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.entrypoints.cli.main import app
from tests.conftest import postgres_database
from tests.storage.conftest import register


@pytest.fixture
def target_url(database_url: str, tmp_path: Path, postgres_admin: Engine | None) -> Iterator[str]:
    """Another empty database of the same kind (no schema: restore brings it)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    assert postgres_admin is not None
    with postgres_database(postgres_admin) as url:
        yield url


def history(services: Services) -> None:
    for org in ("TB-001", "TB-002"):
        register(services, org)
        services.appender.append(org, "cooperative:test", [
            EventRequest("InventoryBatchOpened", "QC-2020", date(2020, 2, 1), {"title": "2020年度清产核资"})])
        auditing.close_period(services.appender, services.views, services.reader, org, "auditor:test",
                              Period.parse("2020-Q1"), "quarterly", date(2020, 4, 5))


def cli(args: list[str], url: str, key: Path) -> object:
    return CliRunner().invoke(app, args, env={"LEDGER_DATABASE_URL": url, "LEDGER_KEY_FILE": str(key)})


def test_backup_then_restore_into_an_empty_database_verifies_every_log_and_closed_view(
        services: Services, target_url: str, tmp_path: Path) -> None:
    history(services)
    key = services.settings.key_file
    made = cli(["backup", str(tmp_path / "bk")], services.settings.database_url, key)
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["last_position"] == services.reader.last_position() and manifest["vkey"] == services.signer.vkey
    restored = cli(["restore", str(tmp_path / "bk")], target_url, tmp_path / "absent.key")
    out = restored.output  # type: ignore[attr-defined]
    assert restored.exit_code == 0, out  # type: ignore[attr-defined]
    assert "TB-001: 3 records verify" in out and "TB-002 2020-Q1: the closed view reproduces" in out
    assert "database: VERIFIED" in out and not (tmp_path / "absent.key").exists()
    again = cli(["restore", str(tmp_path / "bk")], target_url, key)  # the target is no longer empty
    assert again.exit_code == 2 and "not empty" in again.output  # type: ignore[attr-defined]


def test_the_restore_check_names_a_tampered_log(services: Services, tmp_path: Path) -> None:
    history(services)
    postgres = services.engine.dialect.name == "postgresql"
    with services.engine.begin() as conn:  # as the database owner would
        conn.execute(text("DROP TRIGGER ledger_entries_append_only ON ledger_entries" if postgres
                          else "DROP TRIGGER ledger_entries_no_update"))
        conn.execute(text("UPDATE ledger_entries SET leaf_hash = :h WHERE org_id = 'TB-002' AND leaf_index = 1"),
                     {"h": b"\x00" * 32})
    checked = cli(["check"], services.settings.database_url, services.settings.key_file)
    assert checked.exit_code == 1  # type: ignore[attr-defined]
    assert "TB-002" in checked.output and "NOT VERIFIED" in checked.output  # type: ignore[attr-defined]
    assert "ok    TB-001: 3 records verify" in checked.output  # type: ignore[attr-defined]
