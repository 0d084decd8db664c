"""The committer alone (``application.group_commit``), over a store that records what happens."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import pytest

from ledger.application.group_commit import GroupCommitter


class Recorded:
    """A group store writing down members, rollbacks and the commit; ``fail_commit``: the commit raises."""

    def __init__(self, fail_commit: bool = False) -> None:
        self.fail_commit = fail_commit
        self.steps: list[str] = []
        self.answers: list[Future[Any]] = []

    @contextmanager
    def group(self) -> Iterator[Recorded]:
        self.steps.append("begin")
        yield self
        if any(done.done() for done in self.answers):
            self.steps.append("answered before the commit")
        if self.fail_commit:
            self.steps.append("commit failed")
            raise ConnectionError("the database went away")
        self.steps.append("commit")

    @contextmanager
    def member(self, org_id: str) -> Iterator[str]:
        self.steps.append(f"savepoint {org_id}")
        try:
            yield org_id
        except Exception:
            self.steps.append(f"rollback {org_id}")
            raise
        self.steps.append(f"release {org_id}")


def answered(store: Recorded, works: list[tuple[str, Any]]) -> list[Future[Any]]:
    group = [(org_id, work, Future()) for org_id, work in works]
    store.answers = [done for _, _, done in group]
    GroupCommitter(store, window_s=0).commit(group)  # type: ignore[arg-type]
    return [done for _, _, done in group]


def refused(tx: Any) -> None:
    raise ValueError("over the entitlement")


def test_each_answer_comes_after_the_one_commit_and_a_refusal_is_its_own() -> None:
    store = Recorded()

    def work(tx: str) -> str:
        assert "commit" not in store.steps
        return f"stored in {tx}"

    answers = answered(store, [("A", work), ("B", refused), ("C", work)])
    assert store.steps == ["begin", "savepoint A", "release A", "savepoint B", "rollback B", "savepoint C",
                           "release C", "commit"]
    assert answers[0].result() == "stored in A" and answers[2].result() == "stored in C"
    with pytest.raises(ValueError):
        answers[1].result()


def test_a_failed_commit_fails_every_append_that_was_not_refused_on_its_own() -> None:
    answers = answered(Recorded(fail_commit=True), [("A", lambda tx: "ok"), ("B", refused)])
    with pytest.raises(ConnectionError):
        answers[0].result()
    with pytest.raises(ValueError):
        answers[1].result()


def test_appends_waiting_together_share_a_group_of_at_most_limit() -> None:
    store = Recorded()
    committer = GroupCommitter(store, window_s=5, limit=3)  # type: ignore[arg-type]
    threads = [threading.Thread(target=committer.run, args=(f"CO-{i}", lambda tx: tx)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert store.steps.count("begin") == 1 and store.steps.count("commit") == 1
