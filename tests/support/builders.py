"""Builders of stored records for tests that feed views and facts without a store."""
from __future__ import annotations

from typing import Any

from ledger.log.record import Record


def stored_record(position: int, org_id: str, entity_id: str, type_: str, effective_date: str, recorded_at: str,
                  data: dict[str, Any], flags: list[dict[str, Any]] | None = None, *, entity_version: int = 1,
                  actor: str = "cooperative:test") -> Record:
    """A record as the store would hand it back (money in fen, dates ISO strings)."""
    return Record(position=position, event_id=f"e-{position}", org_id=org_id, entity_id=entity_id,
                  entity_version=entity_version, type=type_, schema_version=1, effective_date=effective_date,
                  recorded_at=recorded_at, actor=actor, idempotency_key=None, flags=list(flags or []), data=data)
