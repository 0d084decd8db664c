"""Group commit (``application.group_commit``): appends gathered into one transaction and one commit,
each in its own savepoint; a refused one rolls back alone; same-CO appends run in arrival order."""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from datetime import date
from typing import Any, Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ledger.adapters.sql.append_store import SqlAppendTransaction
from ledger.adapters.sql.tables import entries
from ledger.application.append import Appender, AppendOutcome, BatchError, EventRequest
from ledger.application.group_commit import GroupCommitter
from ledger.bootstrap import Services
from ledger.domain.errors import Conflict
from tests.storage.conftest import register
from tests.storage.test_running_totals import declared_in_store, pay
from tests.support.fakes import ORG

COOP = "cooperative:test"


class Arrivals:
    """The committer's queue, counting the appends put in it: the test starts the next only after it."""

    def __init__(self) -> None:
        self.waiting: queue.Queue[Any] = queue.Queue()
        self.count = 0
        self.arrived = threading.Condition()

    def put(self, item: Any) -> None:
        self.waiting.put(item)
        with self.arrived:
            self.count += 1
            self.arrived.notify_all()

    def get(self, timeout: float | None = None) -> Any:
        return self.waiting.get(timeout=timeout)

    def get_nowait(self) -> Any:
        return self.waiting.get_nowait()

    def wait_for(self, count: int) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.count >= count, timeout=60), "an append did not arrive"


def grouped(services: Services, size: int) -> tuple[Appender, Arrivals]:
    """An appender whose group closes when ``size`` appends arrived (the window is far longer)."""
    store = services.appender.store
    committer = GroupCommitter(store, window_s=30, limit=size)  # type: ignore[arg-type]
    arrivals = Arrivals()
    committer._waiting = arrivals  # type: ignore[assignment]
    return Appender(store, services.signer, services.settings.log_origin, committer), arrivals


def in_one_group(services: Services, calls: list[Callable[[Appender], AppendOutcome]]) -> tuple[list[Any], int]:
    """Each call's outcome (or its error), the calls arriving in order in one group; and the commits made."""
    appender, arrivals = grouped(services, len(calls))
    results: list[Future[Any]] = [Future() for _ in calls]
    commits: list[int] = []

    def committed(conn: Any) -> None:
        commits.append(1)

    event.listen(services.engine, "commit", committed)

    def call(i: int) -> None:
        try:
            results[i].set_result(calls[i](appender))
        except Exception as exc:
            results[i].set_result(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls))]
    try:
        for number, thread in enumerate(threads, 1):
            thread.start()
            arrivals.wait_for(number)  # arrival order
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(services.engine, "commit", committed)
    return [r.result() for r in results], len(commits)


def stored(services: Services, org_id: str | None = None) -> int:
    """Entries stored (of one CO: its log's size)."""
    query = select(func.count()).select_from(entries)
    if org_id is not None:
        query = query.where(entries.c.org_id == org_id)
    with services.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def correct(name: str, expected: int | None) -> Callable[[Appender], AppendOutcome]:
    return lambda a: a.append(ORG, COOP, [EventRequest("MemberRecordCorrected", "M-1", date(2025, 3, 1),
                                                       {"name": name, "reason": "typo"}, expected)])


def test_a_refused_append_rolls_back_alone_and_the_others_commit_once(services: Services) -> None:
    declared_in_store(services)
    register(services, "TC-002")
    before = stored(services)
    results, commits = in_one_group(services, [
        lambda a: a.append(ORG, COOP, [pay("P-1", "M-1", "100.00")]),
        lambda a: a.append(ORG, COOP, [pay("P-2", "M-1", "9000.00")]),  # over M-1's entitlement
        lambda a: a.append("TC-002", "admin:test", [EventRequest(
            "OrganizationRegistered", "TC-002", date(2020, 1, 1), {"name": "again"})], author="admin"),
        lambda a: a.append(ORG, COOP, [pay("P-3", "M-2", "100.00")]),
    ])
    assert commits == 1
    assert isinstance(results[0], AppendOutcome) and isinstance(results[3], AppendOutcome)
    assert isinstance(results[1], BatchError) and results[1].rule == "dividend-exceeds-entitlement"
    assert isinstance(results[2], BatchError)
    assert stored(services) == before + 2
    first, last = results[0].body["events"][0], results[3].body["events"][0]
    assert last["leaf_index"] == first["leaf_index"] + 1  # the refused one left no gap in the CO's log
    assert last["position"] > first["position"]


def test_same_co_appends_in_one_group_run_in_order_and_see_each_other(services: Services) -> None:
    declared_in_store(services)
    version = correct("张德富", None)(services.appender).body["events"][0]["entity_version"]
    results, commits = in_one_group(services, [
        correct("张得福", version), correct("张德福", version + 1), correct("张德付", version + 1)])
    assert commits == 1
    assert [r.body["events"][0]["entity_version"] for r in results[:2]] == [version + 1, version + 2]
    assert isinstance(results[2], BatchError) and results[2].rule == "version-conflict"
    assert correct("张德甫", version + 2)(services.appender).body["events"][0]["entity_version"] == version + 3


def test_idempotent_replays_inside_a_group_and_across_groups(services: Services) -> None:
    declared_in_store(services)

    def keyed(amount: str) -> Callable[[Appender], AppendOutcome]:
        return lambda a: a.append(ORG, COOP, [pay("P-1", "M-1", amount)], "key-1", f"hash-{amount}")

    before = stored(services)
    results, commits = in_one_group(services, [keyed("100.00"), keyed("100.00"), keyed("200.00")])
    assert commits == 1
    assert not results[0].replayed and results[1].replayed and results[1].body == results[0].body
    assert isinstance(results[2], Conflict) and results[2].rule == "idempotency-key-reuse"
    later, _ = in_one_group(services, [keyed("100.00")])
    assert later[0].replayed and later[0].body == results[0].body
    assert stored(services) == before + 1


def test_a_failed_commit_answers_every_append_of_the_group_with_its_error(services: Services) -> None:
    declared_in_store(services)
    register(services, "TC-002")
    before = stored(services)
    appender, _ = grouped(services, 2)

    def refuse(session: Any) -> None:
        if not session.in_nested_transaction():  # the group's commit, not a savepoint's release
            raise RuntimeError("the database went away at the commit")

    event.listen(Session, "before_commit", refuse)
    answers: list[Any] = []
    try:
        threads = [threading.Thread(target=lambda c=call: answers.append(_error_of(c, appender))) for call in [
            lambda a: a.append(ORG, COOP, [pay("P-1", "M-1", "100.00")]),
            correct("张得福", None)]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert [type(a) for a in answers] == [RuntimeError, RuntimeError]
    assert stored(services) == before
    next_leaf = services.appender.append(ORG, COOP, [pay("P-1", "M-1", "100.00")]).body["events"][0]["leaf_index"]
    assert next_leaf == stored(services, ORG) - 1  # nothing of the failed group is in the CO's log


def _error_of(call: Callable[[Appender], AppendOutcome], appender: Appender) -> Any:
    try:
        return call(appender)
    except Exception as exc:
        return exc


def test_an_append_failing_after_its_writes_rolls_back_to_its_savepoint_alone(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    declared_in_store(services)
    remember = SqlAppendTransaction.remember

    def failing(tx: SqlAppendTransaction, key: str, *args: Any) -> None:
        if key == "boom":  # saved, indexed and logged already
            raise RuntimeError("the idempotency record could not be written")
        remember(tx, key, *args)

    monkeypatch.setattr(SqlAppendTransaction, "remember", failing)
    before = stored(services, ORG)
    results, commits = in_one_group(services, [
        lambda a: a.append(ORG, COOP, [pay("P-1", "M-1", "100.00")], "k-1", "h-1"),
        lambda a: a.append(ORG, COOP, [pay("P-2", "M-1", "100.00")], "boom", "h-2"),
        lambda a: a.append(ORG, COOP, [pay("P-3", "M-2", "100.00")], "k-3", "h-3"),
    ])
    assert commits == 1 and isinstance(results[1], RuntimeError)
    assert [r.body["events"][0]["leaf_index"] for r in (results[0], results[2])] == [before, before + 1]
    assert stored(services, ORG) == before + 2
    ok = services.appender.append(ORG, COOP, [pay("P-2", "M-1", "100.00")])  # P-2 was not stored
    assert ok.body["events"][0]["entity_version"] == 1
