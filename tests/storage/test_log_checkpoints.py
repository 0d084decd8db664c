"""Every append batch leaves one signed checkpoint behind, kept append-only, on both databases."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from ledger.adapters.sql.event_store import install_append_only_triggers
from ledger.adapters.sql.proofs import LogProofs
from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.log.notes import open_note, parse_checkpoint
from tests.storage.conftest import register


def cutoff() -> EventRequest:
    return EventRequest("QualificationCutoffSet", "TC-001", date(2025, 1, 3), {"qualification_cutoff": "2020-12-31"})


def test_each_batch_stores_the_checkpoint_of_its_receipt(services: Services) -> None:
    register(services)
    receipts = [services.appender.append("TC-001", "cooperative:test", [cutoff()] * n).body for n in (2, 1, 3)]
    issued = LogProofs(services.reader).checkpoints("TC-001", upto=100)
    assert [size for size, _ in issued] == [1, 3, 4, 7]
    assert [note for _, note in issued[1:]] == [r["log"]["checkpoint"] for r in receipts]
    sizes = [parse_checkpoint(open_note(note, [services.signer.verifier])).size for _, note in issued]
    assert sizes == [1, 3, 4, 7]
    with pytest.raises(Exception, match="append-only"), services.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_checkpoints SET note = 'forged'"))


def test_a_log_begun_before_checkpoints_were_kept_still_serves_its_latest(services: Services) -> None:
    register(services)
    services.appender.append("TC-001", "cooperative:test", [cutoff()])
    postgres = services.engine.dialect.name == "postgresql"
    with services.engine.begin() as conn:  # as a database from before ledger_checkpoints existed
        conn.execute(text("DROP TRIGGER ledger_checkpoints_append_only ON ledger_checkpoints" if postgres
                          else "DROP TRIGGER ledger_checkpoints_no_delete"))
        conn.execute(text("DELETE FROM ledger_checkpoints"))
    with services.engine.begin() as conn:
        install_append_only_triggers(conn)
    proofs = LogProofs(services.reader)
    size, note = proofs.checkpoint("TC-001")
    assert size == 2 and proofs.checkpoints("TC-001", upto=2) == [(2, note)]
    assert proofs.inclusion("TC-001", 0).checkpoint == note and proofs.inclusion("TC-001", 0, 1).checkpoint is None


def test_proofs_at_every_size_match_the_proofs_read_query_by_query(services: Services) -> None:
    """At a given size PostgreSQL answers in one statement; both answers are the same, and they verify."""
    register(services)
    for n in (2, 1, 3):
        services.appender.append("TC-001", "cooperative:test", [cutoff()] * n)
    proofs = LogProofs(services.reader)
    stepwise = _stepwise(proofs)
    issued = dict(proofs.checkpoints("TC-001", upto=100))
    size = max(issued)
    for n in range(1, size + 1):
        for i in range(n):
            proof = proofs.inclusion("TC-001", i, n)
            assert proof.verifies() and proof.checkpoint == issued.get(n)
            assert proof.leaf.leaf_hash == proof.leaf.logged_leaf_hash and proof.leaf.leaf_index == i
        for first in range(1, n + 1):
            consistency = proofs.consistency("TC-001", first, n)
            assert (consistency.first_checkpoint, consistency.second_checkpoint) == (issued.get(first), issued.get(n))
            assert consistency == stepwise.consistency("TC-001", first, n)
        assert proofs.inclusion("TC-001", n - 1, n) == stepwise.inclusion("TC-001", n - 1, n)
    with pytest.raises(Exception, match="tree-size-within-log"):
        proofs.inclusion("TC-001", 0, size + 1)
    with pytest.raises(Exception, match="leaf-index-within-tree"):
        proofs.inclusion("TC-001", 3, 3)
    with pytest.raises(Exception, match="consistency-sizes-ordered"):
        proofs.consistency("TC-001", 4, 3)
    with pytest.raises(Exception, match="log-exists"):
        proofs.inclusion("TC-404", 0, 1)


def _stepwise(proofs: LogProofs) -> LogProofs:
    """The same proofs read query by query through a Session (the path SQLite always takes)."""
    stepwise = LogProofs(proofs.reader)
    stepwise.one_statement = False
    return stepwise
