"""Two appends to one CO at the same moment: the second decides on what the first stored.

A batch's rules read the CO as stored (earlier payments of a distribution, an asset's leases...).
If a second batch could read before the first committed, both would pass a rule that only one may
(two payments that each fit the member's entitlement, together over it), and nothing in the store
would refuse the pair: they are different entities. The appender holds a lock per CO from before
its reads to its commit, so the second batch reads after the first is stored.

The test makes the race happen every time instead of by chance: batch A stops right after its
reads until batch B is seen waiting (for the CO's lock) or done; then A goes on. It guards
PostgreSQL's lock: on SQLite the store already runs one write transaction at a time in a process.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from ledger.adapters.sql.batch_context import BatchContext
from ledger.application.append import Appender
from ledger.application.group_commit import GroupCommitter
from ledger.bootstrap import Services
from ledger.domain.errors import LedgerError
from tests.storage.test_running_totals import declared_in_store, pay
from tests.support.fakes import ORG

WAIT = 30.0
"""Upper bound of every wait: reached only when the test is about to fail."""


def _waiting(services: Services, thread: threading.Thread) -> bool:
    """Whether ``thread`` is blocked on a lock: a PostgreSQL lock wait, or (SQLite) the store's write lock."""
    if services.engine.dialect.name == "postgresql":
        with services.engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar())
    frame: Any = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "acquire" and frame.f_code.co_filename.endswith("threading.py"):
            return True
        frame = frame.f_back
    return False


def _race(services: Services, monkeypatch: Any, first: Any, second: Any, grouped: bool = False) -> dict[str, str]:
    """Append ``first`` (batch A) and ``second`` (batch B) so that B starts while A has read and not stored.

    ``grouped``: A goes through a group commit (read in the committer's thread, locked to the group's commit),
    B through an appender of its own, as another API process or the CLI would."""
    group = GroupCommitter(services.appender.store, window_s=0.001) if grouped else None  # type: ignore[arg-type]
    appender_a = Appender(services.appender.store, services.signer, services.settings.log_origin, group)
    a_has_read, a_may_go = threading.Event(), threading.Event()
    prefetch = BatchContext.prefetch

    def prefetch_then_hold(self: BatchContext, *args: Any, **kwargs: Any) -> None:
        prefetch(self, *args, **kwargs)
        if threading.current_thread().name in ("A", "group-commit"):
            a_has_read.set()
            a_may_go.wait(WAIT)

    monkeypatch.setattr(BatchContext, "prefetch", prefetch_then_hold)
    outcome: dict[str, str] = {}

    def attempt(name: str, request: Any) -> None:
        try:
            (appender_a if name == "A" else services.appender).append(ORG, "cooperative:test", [request])
            outcome[name] = "stored"
        except LedgerError as exc:
            outcome[name] = exc.rule

    a = threading.Thread(target=attempt, name="A", args=("A", first))
    b = threading.Thread(target=attempt, name="B", args=("B", second))
    a.start()
    assert a_has_read.wait(WAIT), "batch A never read"
    b.start()
    deadline = time.monotonic() + WAIT
    while b.is_alive() and not _waiting(services, b) and time.monotonic() < deadline:
        time.sleep(0.005)
    a_may_go.set()
    a.join(WAIT)
    b.join(WAIT)
    return outcome


@pytest.mark.parametrize("grouped", [False, True], ids=["own-commit", "group-commit"])
def test_two_payments_at_once_cannot_both_fit_one_entitlement(services: Services, monkeypatch: Any,
                                                              grouped: bool) -> None:
    declared_in_store(services)  # M-1 is entitled to 3,500.00 yuan
    outcome = _race(services, monkeypatch, pay("P-1", "M-1", "2000.00"), pay("P-2", "M-1", "2000.00"), grouped)
    assert outcome == {"A": "stored", "B": "dividend-exceeds-entitlement"}


@pytest.mark.parametrize("grouped", [False, True], ids=["own-commit", "group-commit"])
def test_appends_at_once_to_one_co_both_go_in_when_both_fit(services: Services, monkeypatch: Any,
                                                            grouped: bool) -> None:
    declared_in_store(services)
    outcome = _race(services, monkeypatch, pay("P-1", "M-1", "2000.00"), pay("P-2", "M-1", "1500.00"), grouped)
    assert outcome == {"A": "stored", "B": "stored"}
