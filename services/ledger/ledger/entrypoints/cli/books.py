"""`ledger books close`: post a month's or year's closing voucher (期末结转) from the command line."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Optional

import typer

from ledger.settings import Settings

books_app = typer.Typer(help="The books: closing months and years (期末结转).", no_args_is_help=True)


@books_app.command("close")
def close(org: str = typer.Option(..., "--org", help="The CO, e.g. TC-001."),
          period: str = typer.Option(..., "--period", help="A month (2024-03) or a year (2024)."),
          actor: str = typer.Option("cli", help="Who closes, as recorded in the event's actor."),
          today: Optional[str] = typer.Option(None, help="The day of closing (YYYY-MM-DD); default today (UTC).")
          ) -> None:
    """Close a month (5xx to 321) or a year (also 321 to 322), computed from the books; prints the voucher."""
    from ledger.application.books_closing import close_books
    from ledger.bootstrap import build_services
    from ledger.domain.errors import LedgerError
    from projections.audit_views import parse_period

    services = build_services(Settings.from_env())
    try:
        on = date.fromisoformat(today) if today else datetime.now(timezone.utc).date()
        closed = close_books(services.appender, services.views, org, actor, parse_period(period), on)
    except LedgerError as exc:
        typer.echo(f"error: {exc.rule}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        services.engine.dispose()
    typer.echo(json.dumps({"voucher_id": closed.voucher_id, **closed.data}, ensure_ascii=False))
