"""`ledger export` and `ledger verify ...`: take a CO's log away, and check it with no server.

The verify commands need no database, no network and no settings; they exit 0 when everything
verifies, 1 when something does not (naming the first event position whose bytes do not
match), 2 when the input cannot be read.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

if TYPE_CHECKING:
    from ledger.verify.proofs import Result

verify_app = typer.Typer(help="Verify checkpoints, dossiers and exports offline (no database, no server).",
                         no_args_is_help=True)

VKEY_HELP = ("The ledger's verifier key (from GET /v1/log/key or a kept receipt), or a file holding it. "
             "Default: the key inside the file, which proves only that the file is consistent with itself.")


def export_command(
    directory: Path = typer.Argument(..., help="A new or empty folder to write into."),
    org: str = typer.Option(..., "--org", help="The CO whose log to export, e.g. TC-001."),
) -> None:
    """Export a CO's log (NDJSON records, leaf hashes, every signed checkpoint, the vkey) for `ledger verify export`."""
    from dataclasses import replace

    from ledger.application.export import export
    from ledger.bootstrap import build_services
    from ledger.domain.errors import LedgerError
    from ledger.settings import Settings

    settings = Settings.from_env()
    if not settings.key_file.exists():
        typer.echo(f"error: no signing key at {settings.key_file} (LEDGER_KEY_FILE); the vkey is unknown", err=True)
        raise typer.Exit(2)
    services = build_services(replace(settings, admin_token=None))
    try:
        summary = export(services.proofs, org, directory, services.signer.vkey)
    except (LedgerError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"exported {org}: {summary.tree_size} records, {summary.checkpoints} checkpoints, "
               f"root {summary.root_hash} -> {directory}")


def _report(result: Result) -> None:
    """Print a verify.Result and exit with its status."""
    for line in result.passed:
        typer.echo(f"ok    {line}")
    for warning in result.warnings:
        typer.echo(f"warn  {warning}", err=True)
    for finding in result.failures:
        typer.echo(f"FAIL  {finding.message}", err=True)
    first = result.first_bad
    if first is not None and first.position is not None:
        typer.echo(f"first bad event: position {first.position} (leaf index {first.leaf_index})", err=True)
    typer.echo(f"{result.subject}: {'VERIFIED' if result.ok else 'NOT VERIFIED'}")
    raise typer.Exit(result.exit_code)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(_read_text(path))
    except ValueError as exc:
        typer.echo(f"error: {path} is not JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(document, dict):
        typer.echo(f"error: {path} holds no JSON object", err=True)
        raise typer.Exit(2)
    return document


@verify_app.command("checkpoint")
def verify_checkpoint_command(
    file: Path = typer.Argument(..., help="A signed checkpoint note (GET /v1/orgs/{org}/log/checkpoint)."),
    vkey: str = typer.Option(..., "--vkey", help="The ledger's verifier key, or a file holding it."),
    origin: Optional[str] = typer.Option(None, help="Require this origin, e.g. audit-ledger.local/TC-001."),
) -> None:
    """Check a checkpoint's signature and print its origin, size, root and time."""
    from ledger.verify.proofs import read_key_option, verify_checkpoint

    note = _read_text(file).rstrip("\n") + "\n"  # tolerate the extra newline of `echo` or `jq -r`
    _report(verify_checkpoint(note, read_key_option(vkey) or vkey, origin))


@verify_app.command("dossier")
def verify_dossier_command(
    file: Path = typer.Argument(..., help="A dossier (GET /v1/orgs/{org}/entities/{id}/dossier)."),
    vkey: Optional[str] = typer.Option(None, "--vkey", help=VKEY_HELP),
) -> None:
    """Check every event of a dossier: its leaf hash, its inclusion proof, the checkpoint's signature."""
    from ledger.verify.proofs import read_key_option, verify_dossier

    _report(verify_dossier(_read_json(file), read_key_option(vkey)))


@verify_app.command("consistency")
def verify_consistency_command(
    file: Path = typer.Argument(..., help="A consistency proof (GET /v1/orgs/{org}/log/proofs/consistency)."),
    vkey: str = typer.Option(..., "--vkey", help="The ledger's verifier key, or a file holding it."),
) -> None:
    """Check that the signed tree of size first is a prefix of the signed tree of size second."""
    from ledger.verify.proofs import read_key_option, verify_consistency

    _report(verify_consistency(_read_json(file), read_key_option(vkey) or vkey))


@verify_app.command("export")
def verify_export_command(
    directory: Path = typer.Argument(..., help="A folder written by `ledger export`."),
    vkey: Optional[str] = typer.Option(None, "--vkey", help=VKEY_HELP),
) -> None:
    """Recompute every leaf and every signed root of an export; check signatures and consistency."""
    from ledger.verify.export import verify_export_dir as verify_export
    from ledger.verify.proofs import read_key_option

    if not directory.is_dir():
        typer.echo(f"error: {directory} is not a folder", err=True)
        raise typer.Exit(2)
    _report(verify_export(directory, read_key_option(vkey)))
