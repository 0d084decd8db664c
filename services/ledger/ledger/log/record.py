"""The record of a stored event, and the bytes of it the log commits to: its leaf bytes and hash.

A ``Record`` is everything the ledger knows of one stored event, in stored form (money in fen),
built from the stored bytes as written (never upcast: ``adapters/sql/records`` is the one place
that decodes them), so the Merkle log commits to exactly what the store holds. Every layer passes
it on as it is: the index, the read model's facts, the API (``present``), exports and dossiers.
The verifier reads these functions and nothing else of the ledger.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from . import merkle
from .canonical import canonical_json

EVENT_NAMESPACE = UUID("6f1f3c52-5a0e-4a53-9a55-2f6e4b1c0d01")
"""The namespace of event ids (uuid5 of "<aggregate id>:<version>"); the same value as the domain's
``ENTITY_NAMESPACE`` (a test checks it), so ids stay what earlier releases wrote."""


def event_type_from_topic(topic: str) -> str:
    """'ledger.domain.leases:Lease.LeaseSigned' -> 'LeaseSigned'."""
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def event_id(originator_id: UUID | str, version: int) -> UUID:
    """A stable id for one event: its entity's aggregate id and version."""
    return uuid5(EVENT_NAMESPACE, f"{originator_id}:{version}")


@dataclass(frozen=True)
class Record:
    """One stored event as the ledger knows it; ``as_dict`` is the JSON object the log commits to."""

    position: int
    """The global log position (the store's, never the client's)."""
    event_id: str
    org_id: str
    entity_id: str
    entity_version: int
    type: str
    schema_version: int
    effective_date: str
    """When it happened in the world (ISO date, the client's)."""
    recorded_at: str
    """When the ledger recorded it (ISO time, UTC, the ledger's)."""
    actor: str
    idempotency_key: str | None
    flags: list[dict[str, Any]]
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The record as a JSON object: what is hashed into the log, exported and shown."""
        return {
            "position": self.position, "event_id": self.event_id, "org_id": self.org_id,
            "entity_id": self.entity_id, "entity_version": self.entity_version, "type": self.type,
            "schema_version": self.schema_version, "effective_date": self.effective_date,
            "recorded_at": self.recorded_at, "actor": self.actor, "idempotency_key": self.idempotency_key,
            "flags": self.flags, "data": self.data,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Record:
        """A record read back from its JSON object (an export line, a dossier's event)."""
        return cls(**{name: value[name] for name in cls.__dataclass_fields__})


def leaf_bytes(record: Record | dict[str, Any]) -> bytes:
    """The bytes of a record that the CO's Merkle log commits to (one NDJSON export line); the record as a
    ``Record``, or as its JSON object (what an export line or a dossier holds, as the verifier reads it)."""
    return canonical_json(record.as_dict() if isinstance(record, Record) else record)


def leaf_hash_of(record: Record | dict[str, Any]) -> bytes:
    return merkle.leaf_hash(leaf_bytes(record))
