"""The record of a stored event: what is hashed into the log, exported and shown over HTTP.

A record is built from the stored bytes as written (decoded, never upcast), so the Merkle log
commits to exactly what the store holds; upcasting to newer schema versions is for readers.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import Mapper

from .domain.entity import ENTITY_NAMESPACE
from .log import merkle
from .log.canonical import canonical_json


def event_type_from_topic(topic: str) -> str:
    """'ledger.domain.leases:Lease.LeaseSigned' -> 'LeaseSigned'."""
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def event_id(originator_id: UUID | str, version: int) -> UUID:
    """A stable id for one event: its entity's aggregate id and version."""
    return uuid5(ENTITY_NAMESPACE, f"{originator_id}:{version}")


def decode_state(mapper: Mapper[Any], state: bytes) -> dict[str, Any]:
    """The stored event's state as written (decrypted and decompressed if so configured)."""
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    decoded: dict[str, Any] = mapper.transcoder.decode(state)
    return decoded


def record_from_stored(position: int, originator_id: UUID | str, version: int, topic: str,
                       state: dict[str, Any]) -> dict[str, Any]:
    """Everything the ledger knows of one stored event, in stored form (money in fen)."""
    envelope = state["envelope"]
    return {
        "position": position,
        "event_id": str(event_id(originator_id, version)),
        "org_id": envelope["org_id"],
        "entity_id": envelope["entity_id"],
        "entity_version": version,
        "type": event_type_from_topic(topic),
        "schema_version": envelope["schema_version"],
        "effective_date": envelope["effective_date"],
        "recorded_at": state["timestamp"].isoformat(),
        "actor": envelope["actor"],
        "idempotency_key": envelope.get("idempotency_key"),
        "flags": envelope.get("flags", []),
        "data": state["data"],
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
