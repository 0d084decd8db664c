"""Writing the county through ``Appender.append``: the same path, rules and log as the HTTP API.

Per CO: its registration (an admin's event), then its history in batches of up to 1000 events,
in effective-date order. Nothing is read back per event; a refusal stops the run (the generator
only plants what a CO's policy flags, never what it refuses).
"""
from __future__ import annotations

import time
from datetime import date
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from ledger.application.append import Appender, EventRequest
from ledger.application.books_closing import BookBalances, close_books
from ledger.domain.errors import LedgerError
from ledger.domain.periods import Period
from ledger.seed.books2023 import DEFAULT_PROFILE, LEGACY_PROFILE, PROFILES, planted_exceptions
from ledger.seed.chronicle import YEARS
from ledger.seed.founding import registration
from ledger.seed.generate import chronicle_of
from ledger.seed.plan import CoPlan, CountyPlan

BATCH = 1000
"""Events per append: the API's own limit for one request."""
ADMIN_ACTOR = "admin:seed-demo"


def bookkeeper(org_id: str) -> str:
    """The actor recorded on a CO's seeded events."""
    return f"cooperative:{org_id}:seed-demo"


@dataclass
class Tally:
    """What has been written so far, for the progress bar and the final summary."""

    cos: int = 0
    members: int = 0
    asset_fen: int = 0
    requests: int = 0
    events: int = 0
    """Stored events: the requests plus the ledger's derived ones (ResolutionAdopted)."""
    flagged: int = 0
    seconds: float = 0.0
    planted: list[tuple[str, str, str]] = field(default_factory=list)
    """(org id, entity id, rule) of every violation planted on purpose."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


Progress = Callable[[str, Tally, int], None]
"""progress(org id being written, tally so far, estimated events in all)."""


def write_county(appender: Appender, county: CountyPlan, *, only: Iterable[str] | None = None,
                 progress: Progress | None = None, batch: int = BATCH, profile: str = LEGACY_PROFILE,
                 books: BookBalances | None = None) -> Tally:
    """Write every CO of the plan (or ``only`` those), one CO after the other.

    ``profile`` "2023" (``books2023``) needs ``books`` (the audit views): each year is then closed through
    the closing command once the CO's history is written, except where an unclosed year is planted.
    """
    if profile not in PROFILES:
        raise ValueError(f"no demo profile {profile!r}; profiles are {', '.join(PROFILES)}")
    wanted = set(only) if only is not None else None
    planted = planted_exceptions(county)
    cos = [co for co in county.cos if wanted is None or co.org_id in wanted]
    tally = Tally()
    started = time.perf_counter()
    for done, co in enumerate(cos):
        plant = planted.get(co.org_id, (None, ()))[0]
        chronicle = chronicle_of(co, profile, plant)
        report = partial(_report, progress, co, tally, done, len(cos), started)
        _write_co(appender, co, chronicle.requests(), tally, batch, report)
        if profile == DEFAULT_PROFILE:
            if books is None:
                raise ValueError(f"the {profile} profile closes the years: pass the books (the audit views)")
            for year in YEARS if plant != "income-not-closed" else YEARS[:-1]:
                close_books(appender, books, co.org_id, bookkeeper(co.org_id), Period(year, "year"),
                            date(year + 1, 1, 5))
                tally.requests += 1
                tally.events += 1
        tally.planted += [(co.org_id, entity_id, rule) for entity_id, rule in chronicle.planted]
        tally.cos += 1
        tally.members += co.members
        tally.asset_fen += co.asset_fen
    tally.seconds = time.perf_counter() - started
    return tally


def _write_co(appender: Appender, co: CoPlan, requests: list[EventRequest], tally: Tally, batch: int,
              report: Callable[[int], None]) -> None:
    """Register the CO, then append its history batch by batch; ``report(events still to write)``."""
    outcome = appender.append(co.org_id, ADMIN_ACTOR, [registration(co)], author="admin")
    tally.requests += 1
    tally.events += len(outcome.positions)
    for start in range(0, len(requests), batch):
        report(len(requests) - start)
        chunk = requests[start:start + batch]
        try:
            outcome = appender.append(co.org_id, bookkeeper(co.org_id), chunk)
        except LedgerError as exc:
            index = getattr(exc, "index", 0)
            exc.add_note(f"{co.org_id}: {chunk[index].type} {chunk[index].entity_id} of "
                         f"{chunk[index].effective_date}, event {start + index} of its history")
            raise
        tally.requests += len(chunk)
        tally.events += len(outcome.positions)
        tally.flagged += sum(1 for event in outcome.body["events"] if event["flags"])
    report(0)


def _report(progress: Progress | None, co: CoPlan, tally: Tally, done: int, total: int, started: float,
            pending: int) -> None:
    if progress is None:
        return
    tally.seconds = time.perf_counter() - started
    average = (tally.events + pending) / (done + 1)
    progress(co.org_id, tally, int(tally.events + pending + average * (total - done - 1)))
