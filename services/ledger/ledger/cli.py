"""The `ledger` command: run the service, manage tokens, write schemas (more in later commands)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .settings import Settings

app = typer.Typer(help="CO audit ledger: event-sourced, provable, replayable.", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue, list and revoke bearer tokens.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


def _engine():  # type: ignore[no-untyped-def]
    from .adapters.store import engine_of, open_ledger

    return engine_of(open_ledger(Settings.from_env().database_url))


@app.command()
def run(host: Optional[str] = None, port: Optional[int] = None) -> None:
    """Serve the HTTP API (LEDGER_DATABASE_URL, LEDGER_HOST, LEDGER_PORT)."""
    import uvicorn

    from .api.app import create_app

    settings = Settings.from_env()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command()
def hello() -> None:
    """Print where the service will listen, which database it uses and how to get a first admin token."""
    settings = Settings.from_env()
    typer.echo(f"CO audit ledger: http://{settings.host}:{settings.port}/docs  database: {settings.database_url}")
    if settings.admin_token:
        typer.echo("admin token: the value of LEDGER_ADMIN_TOKEN")
    else:
        typer.echo("first admin token: .venv/bin/ledger tokens create --role admin   "
                   "(or set LEDGER_ADMIN_TOKEN before the first start)")


@tokens_app.command("create")
def tokens_create(
    role: str = typer.Option(..., help="cooperative, auditor or admin"),
    org: Optional[str] = typer.Option(None, help="The CO of a cooperative token, e.g. TC-001."),
    street: Optional[str] = typer.Option(None, help="An auditor's jurisdiction (street), or * for all."),
    subject: Optional[str] = typer.Option(None, help="Who holds it; recorded as the actor of its events."),
) -> None:
    """Issue a token and print it once (only its hash is stored)."""
    from . import auth
    from .domain.errors import LedgerError

    try:
        issued = auth.issue_token(_engine(), role, org_id=org, street=street, subject=subject)
    except LedgerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"token_id": issued.token_id, "subject": issued.subject, "role": issued.role,
                           "org_id": issued.org_id, "street": issued.street, "token": issued.token},
                          ensure_ascii=False))


@tokens_app.command("list")
def tokens_list() -> None:
    """List tokens (never their secrets)."""
    from . import auth

    for row in auth.list_tokens(_engine()):
        typer.echo(json.dumps(row, default=str, ensure_ascii=False))


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id."""
    from . import auth
    from .domain.errors import LedgerError

    try:
        auth.revoke_token(_engine(), token_id)
    except LedgerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"revoked {token_id}")


@app.command()
def schemas(out: Path = typer.Option(Path("schemas/events"), help="Folder to write <Type>.v<N>.json into."),
            check: bool = typer.Option(False, help="Exit 1 if the committed files differ from the code.")) -> None:
    """Write (or check) the JSON Schema of every event type from its payload contract."""
    from .schemas import render_all

    rendered = render_all()
    stale = [name for name, text in rendered.items()
             if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
    if check:
        for name in stale:
            typer.echo(f"stale or missing: {out / name}", err=True)
        raise typer.Exit(1 if stale else 0)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (out / name).write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(rendered)} schemas to {out}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
