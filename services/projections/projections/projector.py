"""The projection worker: follows the global feed into the read model, in large batches.

Each batch (a page of records in log order) is one transaction holding its fact rows and the
new tracking position, so a crash loses nothing and repeats nothing. ``rebuild`` builds a fresh
generation from position 0 and swaps it in when complete; a crashed rebuild resumes where it was.

Speed: pages are read by position (keyset, never OFFSET: memory stays flat however long the log),
the state comes back as text, and only what ``facts_of`` reads is taken from each record. On
PostgreSQL a rebuild makes its facts inside the database (``setbased``: the same rows as
``facts_of``, one INSERT ... SELECT per ``rebuild_page`` positions) instead of through Python.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable

from ledger.adapters.sql.event_store import EventStore
from ledger.adapters.sql.feed import Feed
from ledger.adapters.sql.outages import retryable
from ledger.runtime import cyclic_gc_paused
from projections.facts import Fact, facts_of_records
from projections.store import read_model as store
from projections.store import setbased

Progress = Callable[[int, int], None]
"""progress(done_position, last_position) after each batch."""

failure_log = logging.getLogger("ledger.projector")


@dataclass
class ProjectorState:
    """What the worker is doing, for /readyz: running, retrying (after a failure) or stopped."""

    state: str = "starting"
    failures: int = 0
    """Consecutive failures (0 once a pass succeeds)."""
    last_error: str | None = None
    last_error_at: str | None = None
    last_success_at: str | None = None
    retry_in_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def backoff(failures: int, base: float = 0.5, cap: float = 30.0) -> float:
    """Seconds to wait after the n-th consecutive failure: doubling from ``base``, at most ``cap``."""
    return float(min(cap, base * 2 ** max(0, failures - 1)))


class Projector:
    """Keeps the facts read model up to date with the ledger."""

    def __init__(self, ledger: EventStore, page: int = 5000, rebuild_page: int = 250_000) -> None:
        """``page``: events per batch when following; ``rebuild_page``: positions per batch of a set-based rebuild."""
        self.feed = Feed(ledger)
        self.engine = self.feed.engine
        self.page = page
        self.rebuild_page = rebuild_page
        self.state = ProjectorState()

    def last_position(self) -> int:
        return self.feed.last_position()

    def catch_up(self, generation: int, progress: Progress | None = None, max_batches: int | None = None,
                 totals: bool = True) -> int:
        """Project every record after the generation's tracking position; return how many.

        ``totals``: keep the generation's totals with its facts (a rebuild builds them at once instead).

        On PostgreSQL the next page is read, and the previous one written, while this one is turned
        into facts (two helper threads); a batch is still written only after the previous one was
        committed and reported, so a failure in ``progress`` stops the build exactly as before. A batch
        whose start another writer moved past (``store.TrackingMoved``: appends written with the inline
        projection) ends the pass; the next one reads on from the new position.
        """
        with self.engine.connect() as conn:
            position = store.tracked_position(conn, generation)
        last, done, batches = self.last_position(), 0, 0
        overlap = self.engine.dialect.name == "postgresql"
        try:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="projector") if overlap else nullcontext() as pool:
                writing: tuple[Future[None], int, int] | None = None
                for records in self.feed.pages(position, self.page, pool):
                    if max_batches is not None and batches + (writing is not None) >= max_batches:
                        break
                    facts = facts_of_records(records)
                    org_of = {r.position: r.org_id for r in records}
                    upto = records[-1].position
                    if writing is not None:
                        done, batches = self._written(writing, done, batches, progress, last)
                    write = partial(self._write, generation, org_of, facts, position, upto, totals)
                    writing = (pool.submit(write) if pool is not None else _done(write)), upto, len(records)
                    position = upto
                if writing is not None:
                    done, batches = self._written(writing, done, batches, progress, last)
        except store.TrackingMoved:
            pass  # appends projected themselves meanwhile (inline): the next pass goes on from where they left it
        return done

    def _write(self, generation: int, org_of: dict[int, str], facts: list[Fact], after: int, upto: int,
               totals: bool) -> None:
        with self.engine.begin() as conn:
            store.write_facts(conn, generation, org_of, facts, after, upto, totals)

    @staticmethod
    def _written(writing: tuple[Future[None], int, int], done: int, batches: int, progress: Progress | None,
                 last: int) -> tuple[int, int]:
        """Wait for a batch's commit, then report it."""
        future, upto, count = writing
        future.result()
        if progress:
            progress(upto, max(last, upto))
        return done + count, batches + 1

    def run_once(self, progress: Progress | None = None) -> int:
        """Bring the active read model up to date (building the first one if there is none)."""
        with self.engine.connect() as conn:
            generation = store.active_generation(conn)
        if generation is None:
            return self.rebuild(progress)
        with self.engine.connect() as conn:
            ready = store.totals_ready(conn, generation)
        if not ready:  # built, or moved on, by a release that kept no totals
            store.build_totals(self.engine, generation)
        return self.catch_up(generation, progress)

    def rebuild(self, progress: Progress | None = None, max_batches: int | None = None) -> int:
        """Build a new generation from position 0 (or resume an unfinished one) and swap it in."""
        with self.engine.connect() as conn:
            generation = store.unfinished_generation(conn)
        if generation is None:
            generation = store.start_generation(self.engine)
        with cyclic_gc_paused():
            if self.feed.as_text:
                done = self.catch_up_set_based(generation, progress, max_batches)
            else:
                done = self.catch_up(generation, progress, max_batches, totals=False)
        if max_batches is not None and self.tracked(generation) < self.last_position():
            return done  # stopped early on purpose (tests, bounded runs): not swapped in
        store.index_generation(self.engine, generation)
        store.build_totals(self.engine, generation, parallel=True)  # from every fact written so far, set-based
        done += self.catch_up(generation, progress)  # what was appended meanwhile, with its totals
        previous = store.swap_in(self.engine, generation)
        if previous is not None and previous != generation:
            store.drop_generation(self.engine, previous)
        return done

    def catch_up_set_based(self, generation: int, progress: Progress | None = None,
                           max_batches: int | None = None, workers: int = 2) -> int:
        """``catch_up`` with the facts made inside PostgreSQL (``setbased``), ``rebuild_page`` positions a batch.

        A batch is split into ``workers`` ranges written at once on as many connections (PostgreSQL
        runs one statement on one core); each range is one transaction holding the set-based INSERT
        and the facts ``facts_of`` makes of any event of an irregular shape. The tracking position
        moves once every range of the batch is committed; a build that stopped in between left rows
        above its tracking position, which are deleted before it goes on (exactly once). Returns the
        events projected.
        """
        with self.engine.begin() as conn:
            position = store.tracked_position(conn, generation)
            store.delete_facts_after(conn, generation, position)
        last, done, batches = self.last_position(), 0, 0
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rebuild") as pool:
            while position < last and (max_batches is None or batches < max_batches):
                upto = min(position + self.rebuild_page, last)
                step = -(-(upto - position) // workers)
                ranges = [(a, min(a + step, upto)) for a in range(position, upto, step)]
                for future in [pool.submit(self._write_range, generation, a, b) for a, b in ranges]:
                    done += future.result()
                with self.engine.begin() as conn:
                    store.set_tracked_position(conn, generation, upto)
                position, batches = upto, batches + 1
                if progress:
                    progress(upto, last)
        return done

    def _write_range(self, generation: int, after: int, upto: int) -> int:
        """The facts of ``after < position <= upto`` in one transaction; returns the events in the range."""
        table = store.facts_table(generation, indexed=False).name
        events, entries_name = self.feed.events.name, self.feed.entries_name
        with self.engine.begin() as conn:
            store.unbounded(conn)  # a rebuild's bulk INSERT ... SELECT may outlast the API's statement_timeout
            setbased.insert_facts(conn, table, events, entries_name, after, upto)
            irregular = [self.feed._record(*row) for row in setbased.irregular_rows(conn, events, entries_name, after, upto)]
            store.insert_facts(conn, generation, {r.position: r.org_id for r in irregular},
                               facts_of_records(irregular))
            return store.count_events(conn, after, upto)

    def tracked(self, generation: int) -> int:
        with self.engine.connect() as conn:
            return store.tracked_position(conn, generation)

    def follow(self, stop: threading.Event, poll_seconds: float = 1.0, progress: Progress | None = None,
               max_backoff: float = 30.0) -> None:
        """Keep the read model current until ``stop`` is set (polls: works on SQLite and PostgreSQL).

        A failed pass never ends the loop: it is logged (one JSON line on ``ledger.projector``), the
        state says "retrying", and the pass is tried again after a doubling wait (at most ``max_backoff``
        seconds). A pass commits batch by batch, so a retry goes on from the last committed batch.
        """
        while not stop.is_set():
            started = time.monotonic()
            try:
                done = self.run_once(progress)
            except Exception as exc:  # every failure is logged and retried: the worker never dies silently
                wait = self._failed(exc, max_backoff)
                stop.wait(wait)
                continue
            self.state.state, self.state.failures, self.state.retry_in_seconds = "running", 0, None
            self.state.last_success_at = _now()
            if done == 0:
                stop.wait(max(0.0, poll_seconds - (time.monotonic() - started)))
        self.state.state = "stopped"

    def _failed(self, exc: Exception, max_backoff: float) -> float:
        state = self.state
        state.failures += 1
        wait = backoff(state.failures, cap=max_backoff)
        state.state, state.retry_in_seconds = "retrying", wait
        state.last_error, state.last_error_at = f"{type(exc).__name__}: {exc}"[:500], _now()
        failure_log.error(json.dumps({"event": "projector-failed", "error": state.last_error,
                                      "transient": retryable(exc) is not None, "failures": state.failures,
                                      "retry_in_seconds": wait, "at": state.last_error_at}, ensure_ascii=False))
        return wait


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _done(call: Callable[[], None]) -> Future[None]:
    """Run ``call`` now; its outcome as a finished future (the path without helper threads)."""
    future: Future[None] = Future()
    try:
        future.set_result(call())
    except BaseException as exc:  # re-raised by future.result(), as from a thread
        future.set_exception(exc)
    return future
