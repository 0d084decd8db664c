"""The `ledger` command: run the service, manage tokens, write schemas (more in later commands)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from ledger.entrypoints.cli.backup import register as register_backup
from ledger.entrypoints.cli.books import books_app
from ledger.entrypoints.cli.log import export_command, verify_app
from ledger.entrypoints.cli.seed import register as register_seed
from ledger.settings import Settings

app = typer.Typer(help="CO audit ledger: event-sourced, provable, replayable.", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue, list and revoke bearer tokens.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(verify_app, name="verify")
app.add_typer(books_app, name="books")
app.command("export")(export_command)
register_seed(app)
register_backup(app)


def _engine():  # type: ignore[no-untyped-def]
    from ledger.adapters.sql.event_store import engine_of
    from ledger.bootstrap import open_store

    return engine_of(open_store(Settings.from_env()))


@app.command()
def run(host: Optional[str] = None, port: Optional[int] = None,
        with_projector: bool = typer.Option(False, "--with-projector",
                                            help="Also keep the audit read model current in this process."),
        workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                              help="API processes (LEDGER_WORKERS, default 1); more than one "
                                                   "needs PostgreSQL and no --with-projector.")) -> None:
    """Serve the HTTP API (LEDGER_DATABASE_URL, LEDGER_HOST, LEDGER_PORT, LEDGER_WORKERS)."""
    import uvicorn

    from ledger.bootstrap import build_services

    settings = Settings.from_env()
    processes = workers or settings.workers
    listen = {"host": host or settings.host, "port": port or settings.port, "log_level": "info", "access_log": False}
    if processes > 1:
        if not settings.database_url.startswith("postgresql"):
            raise typer.BadParameter(f"{processes} workers need PostgreSQL; LEDGER_DATABASE_URL is "
                                     f"{settings.database_url} (SQLite takes one writer: use one worker)",
                                     param_hint="--workers")
        if with_projector:
            raise typer.BadParameter("--with-projector runs in one process; with several workers run the "
                                     "projector on its own: ledger project --follow", param_hint="--workers")
        build_services(settings).store.close()  # the schema checked and the signing key made, once, before the workers
        uvicorn.run("ledger.entrypoints.cli.main:worker_app", factory=True, workers=processes, **listen)
        return
    application = worker_app(settings)
    if with_projector:
        _project_in_background(application)
    uvicorn.run(application, **listen)


def worker_app(settings: Optional[Settings] = None) -> object:
    """The API application of one server process, with its JSON access log on stderr."""
    from ledger.entrypoints.http.app import create_app

    json_lines("ledger.access")
    return create_app(settings)


def json_lines(name: str) -> None:
    """Log ``name``'s records as they are (one JSON line each) on stderr."""
    log = logging.getLogger(name)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _project_in_background(application: object) -> None:
    """A daemon thread following the feed into the read model (the embedded, one-process set-up)."""
    import threading

    from ledger.bootstrap import build_projector

    json_lines("ledger.projector")
    services = application.state.services  # type: ignore[attr-defined]
    projector = services.projector = build_projector(services.store)
    threading.Thread(target=projector.follow, args=(threading.Event(),), kwargs={"poll_seconds": 1.0},
                     name="projector", daemon=True).start()


@app.command()
def migrate() -> None:
    """Create or upgrade the database's tables, triggers and indexes (LEDGER_DATABASE_URL); safe to run at once twice."""
    from ledger.adapters.sql.event_store import describe_url
    from ledger.bootstrap import migrate as upgrade

    settings = Settings.from_env()
    before, after = upgrade(settings)
    where = describe_url(settings.database_url)
    typer.echo(f"schema of {where}: already at {after}" if before == after else
               f"schema of {where}: {before or 'none'} -> {after}")


@app.command()
def hello() -> None:
    """Print where the service will listen, which database it uses and how to get a first admin token."""
    settings = Settings.from_env()
    typer.echo(f"CO audit ledger: http://{settings.host}:{settings.port}/docs  database: {settings.database_url}")
    if settings.admin_token:
        typer.echo(_env_admin_state(settings))
    else:
        typer.echo("first admin token: .venv/bin/ledger tokens create --role admin   "
                   "(or set LEDGER_ADMIN_TOKEN before the first start)")


def _env_admin_state(settings: Settings) -> str:
    """What LEDGER_ADMIN_TOKEN is worth now: a value revoked or expired is not advertised."""
    from ledger.adapters.sql import tokens as auth

    try:
        state = auth.token_state(_engine(), settings.admin_token or "")
    except Exception as exc:  # no database yet: the first start issues it
        return f"admin token: the value of LEDGER_ADMIN_TOKEN (database not readable yet: {type(exc).__name__})"
    if state in ("active", "unknown"):
        return "admin token: the value of LEDGER_ADMIN_TOKEN" + (" (issued at the first start)" if state == "unknown"
                                                                  else "")
    return (f"LEDGER_ADMIN_TOKEN is {state}: set a new value and restart (the previous one stays refused), or "
            "create one: .venv/bin/ledger tokens create --role admin")


@tokens_app.command("create")
def tokens_create(
    role: str = typer.Option(..., help="cooperative, auditor or admin"),
    org: Optional[str] = typer.Option(None, help="The CO of a cooperative token, e.g. TC-001."),
    street: Optional[str] = typer.Option(None, help="An auditor's jurisdiction (street), or * for all."),
    expires: Optional[str] = typer.Option(None, help="When it stops working: a date (2027-01-01, midnight UTC) "
                                                     "or a time with its zone; default never."),
) -> None:
    """Issue a token and print it once (only its hash is stored); the ledger names its subject."""
    from ledger.adapters.sql import tokens as auth
    from ledger.domain.errors import LedgerError

    try:
        issued = auth.issue_token(_engine(), role, org_id=org, street=street, expires_at=_expiry(expires))
    except LedgerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"token_id": issued.token_id, "subject": issued.subject, "role": issued.role,
                           "org_id": issued.org_id, "street": issued.street,
                           "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
                           "token": issued.token}, ensure_ascii=False))


def _expiry(text: Optional[str]) -> Optional[datetime]:
    """--expires as an aware time: a bare date is its midnight in UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"a date (2027-01-01) or a time with its zone; got {text!r}",
                                 param_hint="--expires") from None
    if moment.tzinfo is None:
        if len(text) > 10:
            raise typer.BadParameter(f"a time needs its zone (e.g. +08:00); got {text!r}", param_hint="--expires")
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


@tokens_app.command("list")
def tokens_list() -> None:
    """List tokens (never their secrets)."""
    from ledger.adapters.sql import tokens as auth

    for row in auth.list_tokens(_engine()):
        typer.echo(json.dumps(row, default=str, ensure_ascii=False))


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id."""
    from ledger.adapters.sql import tokens as auth
    from ledger.domain.errors import LedgerError

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
    from ledger.entrypoints.cli.schemas import render_all

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


@app.command()
def project(
    follow: bool = typer.Option(False, "--follow", help="Keep following the feed until interrupted."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh read model from position 0 and swap it in."),
    poll: float = typer.Option(1.0, help="Seconds between polls when caught up (--follow)."),
    status: bool = typer.Option(False, "--status", help="Print the read model's lag as JSON and exit (a health "
                                                        "check): 1 if it is more than --max-lag seconds behind."),
    max_lag: float = typer.Option(300.0, "--max-lag", help="Seconds of lag --status accepts."),
) -> None:
    """Run the projection worker: bring the audit read model up to date (once, follow, or rebuild)."""
    import signal
    import threading

    if status:
        from ledger.bootstrap import open_readers

        services = open_readers(Settings.from_env())
        lag = services.views.lag()
        services.engine.dispose()
        typer.echo(json.dumps(lag))
        raise typer.Exit(0 if lag["behind_seconds"] <= max_lag else 1)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ledger.bootstrap import build_projector, open_store

    json_lines("ledger.projector")
    projector = build_projector(open_store(Settings.from_env()))
    if rebuild or not follow:  # --follow alone goes straight to the loop, which retries every failure
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=follow) as bar:
            task = bar.add_task("projecting", total=projector.last_position() or 1)

            def progress(done: int, last: int) -> None:
                bar.update(task, completed=done, total=last)

            done = projector.rebuild(progress) if rebuild else projector.run_once(progress)
        typer.echo(f"projected {done} events")
    if follow:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            projector.follow(stop, poll_seconds=poll)
        except KeyboardInterrupt:
            stop.set()


def main() -> None:
    try:
        app()
    except Exception as exc:
        from ledger.adapters.sql.migrations import SchemaNotCurrent

        if not isinstance(exc, SchemaNotCurrent):
            raise
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
