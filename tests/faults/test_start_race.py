"""Processes opening the ledger while appends run: no deadlock, no error (opening runs no DDL any more).

Before migrations every open ran DROP/CREATE TRIGGER on each append-only table, which on
PostgreSQL deadlocked against running appends (`deadlock detected`, a 500 and a failed CLI).
"""
from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

from ledger.application.append import EventRequest
from ledger.bootstrap import Services, open_store
from tests.storage.conftest import register


def test_opening_the_ledger_while_appending_raises_nothing(services: Services, tmp_path: Path) -> None:
    orgs = [f"TR-{i:03d}" for i in range(3)]
    for org in orgs:
        register(services, org)
    errors: list[BaseException] = []
    appended = [0]
    stop = threading.Event()

    def append(org: str) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                services.appender.append(org, "cooperative:test", [EventRequest(
                    "InventoryBatchOpened", f"QC-{n:04d}", date(2024, 12, 1), {"title": f"清产核资{n}"})])
                appended[0] += 1
            except BaseException as exc:  # collected: the test's point is that there are none
                errors.append(exc)
                return

    def reopen() -> None:
        while not stop.is_set():
            try:
                open_store(services.settings).recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
            except BaseException as exc:  # collected
                errors.append(exc)
                return

    threads = [threading.Thread(target=append, args=(org,)) for org in orgs] + [
        threading.Thread(target=reopen) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and not errors:
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert appended[0] > 10
    assert services.reader.last_position() == len(orgs) + appended[0]
