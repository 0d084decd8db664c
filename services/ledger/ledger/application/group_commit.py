"""Group commit: appends arriving together share one transaction and one commit (``LEDGER_GROUP_COMMIT_MS``).

Each append pays a commit (a WAL flush) and holds the store's table lock for its whole
transaction, so single-event appends of different COs queue behind one another. Here one
committer thread gathers the appends waiting -- the first one waits at most ``window_s`` for
others, at most ``limit`` in all -- and runs them in arrival order in one group transaction
(``ports.GroupStore``): each in a savepoint of its own, under its CO's lock, so a refused append
(a rule, a version, an Idempotency-Key reused) rolls back alone and gets its own answer, and an
append of a CO after another of the same CO reads what the first wrote. Nobody gets an answer
before the commit: a commit that fails fails every append of the group with its error (503).
"""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

from ledger.application.ports import AppendTransaction, GroupStore

__all__ = ["GroupCommitter"]

Work = Callable[[AppendTransaction], Any]
"""One append's reads and writes in its savepoint; what it returns is its answer."""


class GroupCommitter:
    """Runs appends in groups on one thread; ``run`` blocks its caller until the group committed."""

    def __init__(self, store: GroupStore, window_s: float, limit: int = 64) -> None:
        self.store = store
        self.window_s = window_s
        self.limit = limit
        self._waiting: queue.SimpleQueue[tuple[str, Work, Future[Any]]] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, org_id: str, work: Work) -> Any:
        """``work`` run in the next group, in its own savepoint; its answer once the group committed."""
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name="group-commit", daemon=True)
                    self._thread.start()
        done: Future[Any] = Future()
        self._waiting.put((org_id, work, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            self.commit(self._gather())

    def _gather(self) -> list[tuple[str, Work, Future[Any]]]:
        """The first append waiting, and those arriving within the window after it (at most ``limit``)."""
        group = [self._waiting.get()]
        deadline = time.monotonic() + self.window_s
        while len(group) < self.limit:
            try:
                group.append(self._waiting.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                group.append(self._waiting.get(timeout=left))
            except queue.Empty:
                break
        return group

    def commit(self, group: list[tuple[str, Work, Future[Any]]]) -> None:
        """Run the group's appends in one transaction; answer each after the commit (or with its own refusal)."""
        answers: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with self.store.group() as tx_group:
                for org_id, work, done in group:
                    try:
                        with tx_group.member(org_id) as tx:
                            answer = work(tx)
                    except Exception as exc:  # this append alone is refused; its savepoint rolled back
                        answers.append((done, None, exc))
                        continue
                    answers.append((done, answer, None))
        except BaseException as exc:  # the commit (or the group's transaction) failed: nothing was stored
            for done, _, own in answers:
                done.set_exception(own if own is not None else exc)
            for _, _, done in group[len(answers):]:
                done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for done, answer, own in answers:
            if own is None:
                done.set_result(answer)
            else:
                done.set_exception(own)
