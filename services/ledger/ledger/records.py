"""The record of a stored event: what is hashed into the log, exported and shown over HTTP."""
from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from .domain.entity import ENTITY_NAMESPACE
from .log import merkle
from .log.canonical import canonical_json


def event_type_of(event: Any) -> str:
    """The event's type name, e.g. 'LeaseSigned' (its class name inside the entity)."""
    return type(event).__name__


def event_id_of(event: Any) -> UUID:
    """A stable id for one event: its entity's aggregate id and version."""
    return uuid5(ENTITY_NAMESPACE, f"{event.originator_id}:{event.originator_version}")


def record_of(position: int, event: Any) -> dict[str, Any]:
    """Everything the ledger knows of one stored event, in stored form (money in fen)."""
    envelope = event.envelope
    return {
        "position": position,
        "event_id": str(event_id_of(event)),
        "org_id": envelope["org_id"],
        "entity_id": envelope["entity_id"],
        "entity_version": event.originator_version,
        "type": event_type_of(event),
        "schema_version": envelope["schema_version"],
        "effective_date": envelope["effective_date"],
        "recorded_at": event.timestamp.isoformat(),
        "actor": envelope["actor"],
        "idempotency_key": envelope.get("idempotency_key"),
        "flags": envelope.get("flags", []),
        "data": event.data,
    }


def leaf_bytes(record: dict[str, Any]) -> bytes:
    """The bytes of a record that the CO's Merkle log commits to (one NDJSON export line)."""
    return canonical_json(record)


def leaf_hash_of(record: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(leaf_bytes(record))


def present(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the API shows it: money back in yuan strings where the type's contract knows it."""
    from .domain.catalog import CATALOG  # the catalogue imports the domain; keep this module light

    event_type = CATALOG.get(record["type"])
    if event_type is None or event_type.version != record["schema_version"]:
        return record
    data = event_type.payload.from_stored(record["data"]).model_dump(mode="json", exclude_none=True)
    return {**record, "data": data}
