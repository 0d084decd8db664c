"""The projection worker: follows the global feed into the read model, in large batches.

Each batch (a page of records in log order) is one transaction holding its fact rows and the
new tracking position, so a crash loses nothing and repeats nothing. ``rebuild`` builds a fresh
generation from position 0 and swaps it in when complete; a crashed rebuild resumes where it was.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ledger.adapters.store import Ledger, engine_of
from ledger.adapters.tables import entries
from ledger.reading import Reader

from . import store
from .facts import facts_of_records

Progress = Callable[[int, int], None]
"""progress(done_position, last_position) after each batch."""


class Projector:
    """Keeps the facts read model up to date with the ledger."""

    def __init__(self, ledger: Ledger, page: int = 5000) -> None:
        self.engine: Engine = engine_of(ledger)
        self.reader = Reader(ledger)
        self.page = page
        store.ensure_control(self.engine)

    def last_position(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(entries.c.position))).scalar() or 0)

    def catch_up(self, generation: int, progress: Progress | None = None, max_batches: int | None = None) -> int:
        """Project every record after the generation's tracking position; return how many."""
        with self.engine.connect() as conn:
            position = store.tracked_position(conn, generation)
        last, done, batches = self.last_position(), 0, 0
        while max_batches is None or batches < max_batches:
            records = self.reader.records(after=position, limit=self.page)
            if not records:
                break
            facts = facts_of_records(records)
            org_of = {r["position"]: r["org_id"] for r in records}
            position = records[-1]["position"]
            with self.engine.begin() as conn:
                store.write_facts(conn, generation, org_of, facts, position)
            done, batches = done + len(records), batches + 1
            if progress:
                progress(position, max(last, position))
        return done

    def run_once(self, progress: Progress | None = None) -> int:
        """Bring the active read model up to date (building the first one if there is none)."""
        with self.engine.connect() as conn:
            generation = store.active_generation(conn)
        if generation is None:
            return self.rebuild(progress)
        return self.catch_up(generation, progress)

    def rebuild(self, progress: Progress | None = None, max_batches: int | None = None) -> int:
        """Build a new generation from position 0 (or resume an unfinished one) and swap it in."""
        with self.engine.connect() as conn:
            generation = store.unfinished_generation(conn)
        if generation is None:
            generation = store.start_generation(self.engine)
        done = self.catch_up(generation, progress, max_batches)
        if max_batches is not None and self.tracked(generation) < self.last_position():
            return done  # stopped early on purpose (tests, bounded runs): not swapped in
        previous = store.swap_in(self.engine, generation)
        if previous is not None and previous != generation:
            store.drop_generation(self.engine, previous)
        return done

    def tracked(self, generation: int) -> int:
        with self.engine.connect() as conn:
            return store.tracked_position(conn, generation)

    def follow(self, stop: threading.Event, poll_seconds: float = 1.0, progress: Progress | None = None) -> None:
        """Keep the read model current until ``stop`` is set (polls: works on SQLite and PostgreSQL)."""
        while not stop.is_set():
            started = time.monotonic()
            if self.run_once(progress) == 0:
                stop.wait(max(0.0, poll_seconds - (time.monotonic() - started)))
