"""The append's writes sent together (``adapters.sql.pipeline``, the recorder's one-string insert, the inline
projection's one block): what is stored is what separate statements stored, whatever the values hold, and on
PostgreSQL an append makes the round trips it is meant to (on SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import event, select

from ledger.adapters.sql.event_store import events_table
from ledger.adapters.sql.records import decode_state
from ledger.adapters.sql.tables import checkpoints, entries, idempotency, log_heads, log_nodes
from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from projections.audit_views import AuditViews, answer
from projections.projector import Projector
from tests.storage.conftest import built_services, register
from tests.storage.test_inline_projection import inline_of, state

COOP = "cooperative:test"
AWKWARD = "100% 'quoted' \"double\" back\\slash {braces} %s %(x)s $inline$ $$ ; -- 凭证摘要"
"""Text with everything a statement rendered on the client could get wrong."""


@pytest.fixture
def inline_services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    with built_services(database_url, tmp_path, inline_projection=True) as built:
        yield built


def awkward_voucher(number: int) -> EventRequest:
    return EventRequest("VoucherPosted", f"V-{number}%$inline$", date(2025, 3, 1), {
        "description": f"{AWKWARD} #{number}", "lines": [
            {"account": "101", "side": "debit", "amount": "12.34"},
            {"account": "501", "side": "credit", "amount": "12.34"}]})


def test_awkward_values_are_stored_indexed_remembered_and_projected_as_written(inline_services: Services) -> None:
    services = inline_services
    register(services, "TP-001")
    projector = Projector(services.store)
    projector.run_once()  # a read model to keep inline
    outcome = services.appender.append("TP-001", COOP, [awkward_voucher(1), awkward_voucher(2)],
                                       "key-%-1", "hash-of-the-body")
    positions = outcome.positions
    assert len(positions) == 2 and inline_of(services).written == 2
    mapper = services.store.mapper
    with services.engine.connect() as conn:
        table = events_table(services.store)
        states = [decode_state(mapper, bytes(row.state))
                  for row in conn.execute(select(table).where(table.c.id.in_(positions)).order_by(table.c.id))]
        indexed = conn.execute(select(entries.c.entity_id, entries.c.leaf_index).where(
            entries.c.position.in_(positions)).order_by(entries.c.position)).all()
        remembered = conn.execute(select(idempotency.c.response).where(idempotency.c.key == "key-%-1")).scalar()
        head = conn.execute(select(log_heads.c.size).where(log_heads.c.org_id == "TP-001")).scalar()
        sizes = conn.execute(select(checkpoints.c.size).where(checkpoints.c.org_id == "TP-001")).scalars().all()
        nodes = conn.execute(select(log_nodes.c.level).where(log_nodes.c.org_id == "TP-001")).scalars().all()
    assert [s["data"]["description"] for s in states] == [f"{AWKWARD} #1", f"{AWKWARD} #2"]
    assert [tuple(r) for r in indexed] == [("V-1%$inline$", 1), ("V-2%$inline$", 2)]
    assert json.loads(remembered) == outcome.body
    assert head == 3 and sorted(sizes) == [1, 3] and sorted(nodes) == [0, 0, 0, 1]  # 3 leaves, 1 full pair
    replayed = services.appender.append("TP-001", COOP, [awkward_voucher(1), awkward_voucher(2)],
                                        "key-%-1", "hash-of-the-body")
    assert replayed.replayed and replayed.body == outcome.body
    tracked, facts, totals = state(services)
    assert tracked == positions[-1]
    assert {(f[11]["memo"], f[11]["voucher"]) for f in facts if f[3] == "journal"} == \
        {(f"{AWKWARD} #1", "V-1%$inline$"), (f"{AWKWARD} #2", "V-2%$inline$")}
    views = AuditViews(services.reader)
    known = views.co_prefix("TP-001", positions[-1])
    now = views.view("TP-001", Period(2025, "month", 3), positions[-1])
    assert now.source == "read-model"
    assert now.sha256 == answer("TP-001", Period(2025, "month", 3), known,
                                views.replay("TP-001", known["position"]))[1]
    projector.rebuild()
    assert state(services)[1:] == (facts, totals)


def _executions(services: Services, work: Any) -> list[str]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(services.engine, "before_cursor_execute", before)
    try:
        work()
    finally:
        event.remove(services.engine, "before_cursor_execute", before)
    return seen


def test_on_postgresql_an_append_writes_after_its_lock_in_three_round_trips(inline_services: Services) -> None:
    services = inline_services
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in process: its statements cost no round trip, and run one by one")
    register(services, "TP-002")
    Projector(services.store).run_once()
    services.appender.append("TP-002", COOP, [awkward_voucher(1)], "k-1", "h")
    seen = _executions(services, lambda: services.appender.append("TP-002", COOP, [awkward_voucher(2)], "k-2", "h"))
    locked = next(i for i, s in enumerate(seen) if s.startswith("LOCK TABLE"))
    after = seen[locked:]
    assert len(after) == 3, after  # lock + NOTIFY + events; the ledger's writes; the inline block
    assert "INSERT INTO ledger_events" in after[0] and "NOTIFY" in after[0]
    for table in ("ledger_log_nodes", "ledger_checkpoints", "ledger_log_heads", "ledger_entries",
                  "ledger_idempotency"):
        assert table in after[1], table
    assert after[2].startswith("SAVEPOINT inline_projection; DO ")
    assert inline_of(services).written == 2


def test_after_a_rebuild_swapped_generations_an_append_writes_its_facts_into_the_new_one(
        inline_services: Services) -> None:
    """The generation an append last saw (kept by the inline projection) is dropped by a rebuild's swap:
    the next append still writes its facts inline, into the generation now active."""
    services = inline_services
    register(services, "TP-003")
    projector = Projector(services.store)
    projector.run_once()
    services.appender.append("TP-003", COOP, [awkward_voucher(1)])
    projector.rebuild()  # a new generation swapped in, the old one dropped
    written = inline_of(services).written
    services.appender.append("TP-003", COOP, [awkward_voucher(2)])
    assert inline_of(services).written == written + 1
    tracked, facts, _ = state(services)
    assert tracked == services.reader.last_position()
    assert "V-2%$inline$" in {f[5] for f in facts}


def test_a_view_that_replays_holds_one_connection_at_a_time(inline_services: Services) -> None:
    """With the read model behind, a view replays the stored events: on a connection of its own, after it
    gave back the one that read the read model's state (a request holding two could starve the pool)."""
    services = inline_services
    register(services, "TP-004")
    services.appender.append("TP-004", COOP, [awkward_voucher(1)])  # no read model: left to the follower
    views = AuditViews(services.reader)
    held, most = [0], [0]

    def checkout(*_: Any) -> None:
        held[0] += 1
        most[0] = max(most[0], held[0])

    def checkin(*_: Any) -> None:
        held[0] -= 1

    event.listen(services.engine, "checkout", checkout)
    event.listen(services.engine, "checkin", checkin)
    try:
        answer_now = views.view("TP-004", Period(2025, "month", 3), services.reader.last_position())
    finally:
        event.remove(services.engine, "checkout", checkout)
        event.remove(services.engine, "checkin", checkin)
    assert answer_now.source == "replay"
    assert most[0] == 1
