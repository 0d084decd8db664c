"""`ledger seed-demo`: fill a database with the demo county through the append path (see ledger.seed)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from ledger.settings import Settings

if TYPE_CHECKING:
    from ledger.bootstrap import Services
    from ledger.seed import CountyPlan


def register(app: typer.Typer) -> None:
    """Add the seed-demo command to the `ledger` app."""
    app.command("seed-demo")(seed_demo)


def seed_demo(
    scale: float = typer.Option(1.0, min=0.005, help="Multiplies members, assets, leases and vouchers; 1.0 is the "
                                "seed's county (68,000 members, 270,000,000.00 yuan of assets); the 56 COs stay."),
    seed: int = typer.Option(42, help="Same seed, same ids, dates and data (recorded times are the ledger's own)."),
    database_url: Optional[str] = typer.Option(None, "--database-url",
                                               help="Defaults to LEDGER_DATABASE_URL (sqlite:///var/ledger.db)."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Seed only a database without any CO; else do nothing."),
    profile: str = typer.Option("2023", help="2023: the books as the 2023 system keeps them (opening entries, "
                                "accrual rents, depreciation, closings, planted exceptions); 2023-legacy: the "
                                "history the pinned demo hashes were made from."),
) -> None:
    """Build the demo county: 56 COs, members and shares, assets, leases, rents, vouchers, 2023-2025."""
    from ledger.seed.books2023 import PROFILES

    if profile not in PROFILES:
        raise typer.BadParameter(f"profiles are {', '.join(PROFILES)}; got {profile!r}", param_hint="--profile")
    from dataclasses import replace

    from ledger.adapters.sql.urls import describe_url
    from ledger.bootstrap import build_services
    from ledger.seed import plan_county

    settings = Settings.from_env()
    settings = replace(settings, database_url=database_url or settings.database_url, admin_token=None)
    services = build_services(settings)
    try:
        existing = [org["org_id"] for org in services.reader.organizations()]
        where = describe_url(settings.database_url)
        if existing and if_empty:
            typer.echo(f"seed-demo: {where} already holds {len(existing)} COs; not seeding")
            return
        county = plan_county(scale, seed)
        clash = sorted(set(existing) & {co.org_id for co in county.cos})
        if clash:
            typer.echo(f"error: {where} already holds {', '.join(clash[:5])}{' ...' if len(clash) > 5 else ''}; "
                       "seed a fresh database (or pass --if-empty)", err=True)
            raise typer.Exit(2)
        typer.echo(f"seed-demo: scale {scale}, seed {seed}, profile {profile} -> {where}")
        _write(services, county, profile)
    finally:
        services.engine.dispose()


def _write(services: Services, county: CountyPlan, profile: str) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ledger.domain.errors import LedgerError
    from ledger.seed import Tally, write_county

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("COs"),
               TextColumn("{task.fields[events]}"), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    done: set[str] = set()
    with Progress(*columns) as bar:  # a fixed total (the plan's COs): the ETA follows from it
        task = bar.add_task("seeding", total=len(county.cos), events="", rate="")

        def progress(org_id: str, tally: Tally, estimate: int) -> None:
            done.add(org_id)
            bar.update(task, description=f"seeding {org_id}", completed=len(done) - 1,
                       events=f"{tally.events:,} events", rate=f"{tally.events_per_second:,.0f} events/s")

        try:
            tally = write_county(services.appender, county, progress=progress, profile=profile,
                                 books=services.views)
        except LedgerError as exc:
            notes = "; ".join(getattr(exc, "__notes__", []))
            typer.echo(f"error: the ledger refused a seeded event ({notes}): {exc}", err=True)
            raise typer.Exit(1) from None
        bar.update(task, description="seeded", completed=len(county.cos), events=f"{tally.events:,} events")
    assets = f"{tally.asset_fen // 100:,}.{tally.asset_fen % 100:02d}"
    typer.echo(f"COs {tally.cos} · members {tally.members:,} · assets {assets} yuan · "
               f"events {tally.events:,} ({tally.requests:,} appended, the rest derived; {tally.flagged} flagged, "
               f"{len(tally.planted)} violations planted) in {tally.seconds:,.1f} s · "
               f"{tally.events_per_second:,.0f} events/s")
    typer.echo("ids, effective dates and data repeat for the same --scale and --seed; recorded times and log "
               "positions are the ledger's own")
