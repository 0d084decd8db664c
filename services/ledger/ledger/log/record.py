"""The record of a stored event as the log commits to it: its leaf bytes and hash.

A record is everything the ledger knows of one stored event, in stored form (money in fen),
built from the stored bytes as written (never upcast): the Merkle log commits to exactly what the
store holds. The verifier reads these functions and nothing else of the ledger.
"""
from __future__ import annotations

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


def leaf_bytes(record: dict[str, Any]) -> bytes:
    """The bytes of a record that the CO's Merkle log commits to (one NDJSON export line)."""
    return canonical_json(record)


def leaf_hash_of(record: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(leaf_bytes(record))
