"""The demo county: its plan matches the seed exactly, and `ledger seed-demo` writes it on both databases.

The plan tests need no database. The writing tests run the command at a small scale on SQLite and
PostgreSQL and read the ledger back: COs, members and assets as planned, every event accepted,
the planted violations flagged (and nothing else), and a second run giving the same events.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

import ledger.domain  # noqa: F401  (the whole catalogue)
from ledger.adapters.sql.reads import Reader
from ledger.adapters.sql.tables import entries
from ledger.bootstrap import Services, build_services
from ledger.domain.catalog import CATALOG
from ledger.domain.members import Member
from ledger.entrypoints.cli.seed import register
from ledger.seed import plan_county, write_county
from ledger.seed.founding import registration
from ledger.seed.books2023 import planted_exceptions
from ledger.seed.generate import chronicle_of
from ledger.seed.plan import ASSET_FEN, MEMBERS, apportion, scaled
from ledger.settings import Settings
from tests.conftest import ADMIN_URL, RUN_ID
from tests.support.fakes import FakeLedger

SMALL = 0.005
"""340 members and 1,350,000.00 yuan of assets in 56 COs: about 7,000 events."""


# -- the plan, without a database ------------------------------------------------------------------

def test_the_scale_one_plan_sums_exactly_to_the_seed() -> None:
    county = plan_county(1.0, 42)
    assert [co.org_id for co in county.cos] == [f"TC-{i:03d}" for i in range(1, 57)]
    assert (len(county.cos), county.members, county.asset_fen) == (56, 68_000, 27_000_000_000)
    assert len({co.name for co in county.cos}) == 56 and all("股份经济合作社" in co.name for co in county.cos)
    assert plan_county(1.0, 7).asset_fen == 27_000_000_000 and plan_county(1.0, 7) != county


@pytest.mark.parametrize("scale", [SMALL, 0.02, 0.05, 0.37, 2.0])
def test_members_and_assets_scale_and_still_sum_exactly(scale: float) -> None:
    county = plan_county(scale, 42)
    assert (county.members, county.asset_fen) == (scaled(MEMBERS, scale), scaled(ASSET_FEN, scale))
    assert len(county.cos) == 56 and min(co.members for co in county.cos) >= 5
    for co in county.cos:
        kinds = [a.kind for a in co.assets]
        assert kinds.count("ZJ") >= 1 and kinds.count("MF") >= (2 if co.mode == "flag" else 1)
    assert sum(co.mode == "flag" for co in county.cos) == 3


def test_a_scale_too_small_for_five_members_a_co_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 0.005"):
        plan_county(0.004)


@given(st.integers(0, 10**12), st.lists(st.integers(1, 10**6), min_size=1, max_size=60), st.integers(0, 3))
def test_apportion_sums_to_the_total_and_keeps_minimums(total: int, weights: list[int], least: int) -> None:
    if total < least * len(weights):
        with pytest.raises(ValueError):
            apportion(total, weights, least)
        return
    parts = apportion(total, weights, least)
    assert sum(parts) == total and min(parts) >= least
    fair = [least + (total - least * len(weights)) * w / sum(weights) for w in weights]
    assert all(abs(p - f) < 1 for p, f in zip(parts, fair))


def events_of(scale: float, seed: int, org_id: str) -> list[tuple[Any, ...]]:
    co = plan_county(scale, seed).co(org_id)
    return [(r.type, r.entity_id, r.effective_date, r.data) for r in chronicle_of(co).requests()]


def test_a_co_history_repeats_for_a_seed_and_changes_with_it() -> None:
    first = events_of(0.02, 42, "TC-005")
    assert first == events_of(0.02, 42, "TC-005")
    assert first != events_of(0.02, 43, "TC-005")
    dates = [e[2] for e in first]
    assert dates == sorted(dates) and dates[-1].year == 2025


@pytest.mark.parametrize(("which", "profile"), [("largest", "2023-legacy"), ("flag-mode", "2023-legacy"),
                                               ("flag-mode", "2023")])
def test_a_co_at_full_scale_passes_every_rule_in_memory(which: str, profile: str) -> None:
    """Through the domain's handlers with the unit tests' fake context: accepted, flagged only where planted."""
    county = plan_county(1.0, 42)
    co = max(county.cos, key=lambda c: (c.mode == "flag" if which == "flag-mode" else True, c.members))
    fake = FakeLedger(org_id=co.org_id)
    chronicle = chronicle_of(co, profile)
    flags = set()
    for request in [registration(co), *chronicle.requests()]:
        done = fake.append(request.type, request.entity_id, request.data, on=request.effective_date.isoformat())
        flags |= {(request.entity_id, flag["rule"]) for flag in done.flags}
    assert flags == set(chronicle.planted) and len(flags) == (4 if co.mode == "flag" else 0)
    assert sum(isinstance(e, Member) for e in fake.entities.values()) == co.members > 1000


def test_generated_events_carry_the_planned_members_and_asset_values() -> None:
    county = plan_county(0.02, 42)
    for co in county.cos[:8]:
        requests = chronicle_of(co).requests()
        assert sum(r.type == "MemberQualified" for r in requests) == co.members
        registered = [r.data for r in requests if r.type == "AssetRegistered"]
        assert sum(CATALOG["AssetRegistered"].payload.model_validate(d).appraised_value for d in registered) \
            == co.asset_fen


# -- writing it through the append path, on SQLite and PostgreSQL -----------------------------------

def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return app


def seed(url: str, tmp_path: Path, *options: str) -> Any:
    env = {"LEDGER_KEY_FILE": str(tmp_path / "seed.key"), "COLUMNS": "120"}
    return CliRunner().invoke(cli(), ["seed-demo", "--database-url", url, "--seed", "42", *options], env=env)


def planted(scale: float) -> set[tuple[str, str, str]]:
    county = plan_county(scale, 42)
    plants = planted_exceptions(county)
    return {(co.org_id, entity_id, rule) for co in county.cos
            for entity_id, rule in chronicle_of(co, "2023", plants.get(co.org_id, (None,))[0]).planted}


def test_seed_demo_writes_the_planned_county_with_its_planted_flags(services: Services, database_url: str,
                                                                     tmp_path: Path) -> None:
    result = seed(database_url, tmp_path, "--scale", str(SMALL))
    assert result.exit_code == 0, result.output
    assert "COs 56 · members 340 · assets 1,350,000.00 yuan" in result.output
    reader = Reader(services.store)
    orgs = reader.organizations()
    county = plan_county(SMALL, 42)
    assert [(o["org_id"], o["name"], o["street"]) for o in orgs] == [(c.org_id, c.name, c.street) for c in county.cos]
    records = reader.records(limit=1_000_000)
    plants = planted_exceptions(county)
    sent = sum(len(chronicle_of(co, "2023", plants.get(co.org_id, (None,))[0]).entries) + 1 for co in county.cos)
    closings = 3 * len(county.cos) - 1   # every year of every CO, but the planted unclosed 2025
    motions = sum(r.type == "MotionVoted" for r in records)
    assert len(records) == sent + closings + motions
    assert sum(r.type == "ClosingPosted" for r in records) == closings
    assert sum(r.type == "ResolutionAdopted" for r in records) == motions
    assert sum(r.type == "MemberQualified" for r in records) == 340
    assert sum(r.data["appraised_value"] for r in records
               if r.type == "AssetRegistered" and r.data["category"] != "construction") == 135_000_000
    flagged = {(r.org_id, r.entity_id, f["rule"]) for r in records for f in r.flags}
    assert flagged == planted(SMALL) and len(flagged) == 12
    assert {org for org, _, _ in flagged} == {co.org_id for co in county.cos if co.mode == "flag"}


def test_seed_demo_if_empty_leaves_a_seeded_database_alone(services: Services, database_url: str,
                                                           tmp_path: Path) -> None:
    assert seed(database_url, tmp_path, "--scale", str(SMALL), "--if-empty").exit_code == 0
    with services.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(entries)).scalar_one()
    again = seed(database_url, tmp_path, "--scale", str(SMALL), "--if-empty")
    assert again.exit_code == 0 and "already holds 56 COs; not seeding" in again.output
    refused = seed(database_url, tmp_path, "--scale", str(SMALL))
    assert refused.exit_code == 2 and "TC-001" in refused.output
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == count


@pytest.fixture
def second_url(database_url: str, tmp_path: Path, postgres_admin: Engine | None) -> Iterator[str]:
    """Another empty database of the same kind."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    assert postgres_admin is not None
    name = f"ledger_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{ADMIN_URL.rpartition('/')[0]}/{name}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def stored(services: Services) -> list[tuple[Any, ...]]:
    return [(r.org_id, r.entity_id, r.entity_version, r.type, r.effective_date, r.data,
             r.flags) for r in Reader(services.store).records(limit=1_000_000)]


def test_two_runs_with_the_same_seed_store_the_same_events(services: Services, second_url: str,
                                                           tmp_path: Path) -> None:
    county = plan_county(0.02, 42)
    some = ["TC-001", next(co.org_id for co in county.cos if co.mode == "flag")]
    first = write_county(services.appender, county, only=some)
    other = build_services(Settings(database_url=second_url, key_file=tmp_path / "other.key"))
    try:
        second = write_county(other.appender, plan_county(0.02, 42), only=some)
        assert stored(other) == stored(services)
    finally:
        other.engine.dispose()
    assert (first.events, first.flagged, first.planted) == (second.events, second.flagged, second.planted)
    assert first.cos == 2 and first.flagged == 3


def test_seed_demo_refuses_an_unknown_profile(tmp_path: Path) -> None:
    result = seed(f"sqlite:///{tmp_path / 'never.db'}", tmp_path, "--scale", str(SMALL), "--profile", "2022")
    assert result.exit_code == 2 and "2023-legacy" in result.output and not (tmp_path / "never.db").exists()
