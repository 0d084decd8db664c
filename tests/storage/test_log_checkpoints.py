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
