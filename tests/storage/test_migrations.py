"""`ledger migrate` makes and upgrades the schema, once; opening the ledger never runs DDL and refuses a stale schema."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ledger.adapters.sql.event_store import events_table_definition
from ledger.adapters.sql.migrations import SchemaNotCurrent, head, migrate
from ledger.adapters.sql.tables import metadata
from ledger.bootstrap import build_projector, build_services
from ledger.entrypoints.cli.main import app
from ledger.settings import Settings
from ledger.verify.export import verify_export_dir
from projections.store.read_model import control
from tests.conftest import ADMIN_TOKEN
from tests.storage.conftest import register

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "449973a"
"""The last commit before migrations: its code created the schema at every start."""
DDL = ("CREATE ", "DROP ", "ALTER ")


def settings(url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=url, key_file=tmp_path / "log.key", admin_token=ADMIN_TOKEN)


def test_opening_a_blank_database_refuses_and_names_the_command(blank_database_url: str, tmp_path: Path) -> None:
    with pytest.raises(SchemaNotCurrent, match="run `ledger migrate`"):
        build_services(settings(blank_database_url, tmp_path))
    result = CliRunner().invoke(app, ["tokens", "list"], env={"LEDGER_DATABASE_URL": blank_database_url})
    assert result.exit_code != 0 and "ledger migrate" in str(result.exception)


def test_opening_the_ledger_runs_no_ddl(database_url: str, tmp_path: Path) -> None:
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        services = build_services(settings(database_url, tmp_path))
        register(services)
        services.views  # noqa: B018 - the read model's side is opened too
        build_projector(services.store).run_once()
        services.views.view("TC-001", __import__("ledger.domain.periods", fromlist=["Period"]).Period.parse("2020-Q1"),
                            services.reader.last_position())
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    # a read-model generation's own tables (facts, totals) are made by the build that fills them
    ddl = [s for s in statements if s.lstrip().upper().startswith(DDL) and "proj_facts_g" not in s
           and "proj_totals_g" not in s and not s.lstrip().upper().startswith("CREATE INDEX IX_PROJ_FACTS")]
    assert ddl == []
    services.engine.dispose()


def test_migrate_is_idempotent_and_two_processes_at_once_do_it_once(blank_database_url: str) -> None:
    env = {"LEDGER_DATABASE_URL": blank_database_url, "PATH": "/usr/bin:/bin"}
    runs = [subprocess.Popen([sys.executable, "-m", "ledger", "migrate"], env=env, cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted("already at" in out for out in outputs) == [False, True], outputs
    assert migrate(blank_database_url) == (head(), head())


def test_the_migrated_schema_is_what_the_code_describes(database_url: str) -> None:
    described = MetaData()
    for table in (*metadata.tables.values(), events_table_definition(), *control.tables.values()):
        table.to_metadata(described)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), described)
    finally:
        engine.dispose()
    structural = [d for d in diffs if isinstance(d, tuple) and d[0] in
                  ("add_table", "remove_table", "add_column", "remove_column", "add_index", "remove_index")]
    assert [d for d in structural if not (d[0] == "remove_table" and d[1].name == "alembic_version")] == []


def test_a_database_newer_than_the_code_is_refused(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaNotCurrent, match="older than the database"):
        build_services(settings(database_url, tmp_path))


PREVIOUS_WRITER = """
import sys
from datetime import date
from ledger.application.append import EventRequest
from ledger.bootstrap import build_services
from ledger.settings import Settings
from pathlib import Path
s = build_services(Settings(database_url=sys.argv[1], key_file=Path(sys.argv[2])))
data = {"name": "旧版合作社", "street": "城关街道", "qualification_cutoff": "2020-06-30"}
s.appender.append("TC-001", "admin:test", [EventRequest("OrganizationRegistered", "TC-001", date(2020, 1, 1), data)],
                  author="admin")
s.appender.append("TC-001", "cooperative:test", [EventRequest("InventoryBatchOpened", "QC-2024", date(2024, 12, 1),
                  {"title": "2024年度清产核资"})])
s.engine.dispose()
"""


def test_a_database_made_by_the_previous_release_is_adopted_in_place(blank_database_url: str, tmp_path: Path) -> None:
    """The release before migrations made its schema at start; migrate stamps it, keeps its data, and it verifies."""
    source = tmp_path / "previous"
    source.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "services"], capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"the previous release's commit {PREVIOUS_RELEASE} is not in this clone's history")
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    key = tmp_path / "log.key"
    env = {"PYTHONPATH": f"{source}/services/ledger:{source}/services/projections", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", PREVIOUS_WRITER, blank_database_url, str(key)], env=env, check=True,
                   cwd=tmp_path, timeout=120)
    with pytest.raises(SchemaNotCurrent):
        build_services(settings(blank_database_url, tmp_path))
    assert migrate(blank_database_url) == (None, head())
    services = build_services(settings(blank_database_url, tmp_path))
    try:
        assert [r.type for r in services.reader.records(org_ids=["TC-001"], limit=10)] == [
            "OrganizationRegistered", "InventoryBatchOpened"]
        from ledger.application.export import export

        export(services.proofs, "TC-001", tmp_path / "export", services.signer.vkey)
        assert verify_export_dir(tmp_path / "export", services.signer.vkey).ok
        with pytest.raises(Exception, match="append-only"):
            with services.engine.begin() as conn:
                conn.execute(text("DELETE FROM ledger_entries"))
    finally:
        services.engine.dispose()
