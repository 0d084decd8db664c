"""`ledger backup DIR`, `ledger restore DIR`, `ledger check`: a consistent copy, put back, and proved intact.

The check verifies every CO's log against its latest signed checkpoint (the export and its
offline verifier, as an outside party would) and recomputes the view of a sample of closed periods
by replay, comparing it with the hash the auditor stored when closing.
"""
from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ledger.settings import Settings

if TYPE_CHECKING:
    from ledger.bootstrap import Services


@dataclass
class CheckReport:
    """What ``check_database`` found: a line per thing that verified, and each failure."""

    passed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_database(services: Services, vkey: str, sample: int = 20, seed: int = 0) -> CheckReport:
    """Every CO's log against its latest checkpoint; ``sample`` closed periods' views against their stored hash."""
    from ledger.application.export import export
    from ledger.verify.export import verify_export_dir
    from projections.audit_views import answer, parse_period
    from projections.views.rules import LEGACY, rules_of

    report = CheckReport()
    closed: list[tuple[str, str]] = []
    for org in services.reader.organizations():
        org_id = org["org_id"]
        closed += [(org_id, str(c["period"])) for c in services.reader.closed_periods(org_id)]
        with tempfile.TemporaryDirectory() as tmp:
            summary = export(services.proofs, org_id, Path(tmp) / "log", vkey)
            result = verify_export_dir(Path(tmp) / "log", vkey)
        if result.ok:
            report.passed.append(f"{org_id}: {summary.tree_size} records verify against its latest checkpoint")
        else:
            report.failures.extend(f"{org_id}: {failure.message}" for failure in result.failures)
    views = services.views
    for org_id, text in sorted(random.Random(seed).sample(closed, min(sample, len(closed)))):
        period = parse_period(text)
        data = views.closing(org_id, period).data  # type: ignore[union-attr]
        known_at = views.co_prefix(org_id, int(data["known_at_position"]))
        rules = rules_of(int(data.get("rules_version") or LEGACY))  # the rules it was closed under
        _, digest = answer(org_id, period, known_at, views.replay(org_id, known_at["position"]), rules)
        if digest == data["view_sha256"]:
            report.passed.append(f"{org_id} {text}: the closed view reproduces its stored hash {digest[:16]}…")
        else:
            report.failures.append(f"{org_id} {text}: the view replays to {digest}, the closing stored "
                                   f"{data['view_sha256']}")
    return report


def _vkey(settings: Settings, given: Optional[str]) -> str:
    from ledger.log.notes import signer_from_key_string

    if given:
        return given
    if settings.key_file.exists():
        return signer_from_key_string(settings.key_file.read_text(encoding="ascii").strip()).vkey
    typer.echo(f"error: no verifier key: give --vkey or LEDGER_KEY_FILE ({settings.key_file} is missing)", err=True)
    raise typer.Exit(2)


def _print(report: CheckReport) -> None:
    for line in report.passed:
        typer.echo(f"ok    {line}")
    for line in report.failures:
        typer.echo(f"FAIL  {line}", err=True)
    typer.echo("database: VERIFIED" if report.ok else f"database: NOT VERIFIED ({len(report.failures)} failures)")
    if not report.ok:
        raise typer.Exit(1)


def backup_command(directory: Path = typer.Argument(..., help="A new or empty folder to write the backup into.")
                   ) -> None:
    """Back up the whole database (PostgreSQL: pg_dump; SQLite: the online backup API) with a manifest."""
    from ledger.adapters.sql.backup import BackupError, backup
    from ledger.adapters.sql.event_store import normalize_url

    settings = Settings.from_env()
    vkey = _vkey(settings, None) if settings.key_file.exists() else None
    try:
        manifest = backup(normalize_url(settings.database_url), directory, vkey)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"backed up {manifest['kind']} database to {directory / manifest['file']}: last position "
               f"{manifest['last_position']}, schema {manifest['schema_revision']}")
    if vkey is None:
        typer.echo(f"warning: no signing key at {settings.key_file}; the restore check will need --vkey", err=True)
    typer.echo(f"keep the signing key ({settings.key_file}) apart from the backup: it is a secret")


def restore_command(directory: Path = typer.Argument(..., help="A folder written by `ledger backup`."),
                    sample: int = typer.Option(20, help="Closed periods whose views are recomputed."),
                    vkey: Optional[str] = typer.Option(None, help="The verifier key (default: the manifest's).")
                    ) -> None:
    """Restore a backup into the empty database LEDGER_DATABASE_URL names, then run `ledger check` on it."""
    from ledger.adapters.sql.backup import BackupError, restore
    from ledger.adapters.sql.event_store import normalize_url
    from ledger.bootstrap import open_readers

    settings = Settings.from_env()
    try:
        manifest = restore(directory, normalize_url(settings.database_url))
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"restored {directory / manifest['file']} (last position {manifest['last_position']})")
    key = vkey or manifest.get("vkey") or _vkey(settings, None)
    services = open_readers(settings)
    try:
        _print(check_database(services, key, sample))
    finally:
        services.engine.dispose()


def check_command(sample: int = typer.Option(20, help="Closed periods whose views are recomputed."),
                  vkey: Optional[str] = typer.Option(None, help="The verifier key (default: LEDGER_KEY_FILE's).")
                  ) -> None:
    """Verify every CO's log against its latest signed checkpoint and a sample of closed views' hashes."""
    from ledger.bootstrap import open_readers

    settings = Settings.from_env()
    key = _vkey(settings, vkey)
    services = open_readers(settings)
    try:
        _print(check_database(services, key, sample))
    finally:
        services.engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("check")(check_command)
