"""Decoding stored events into records (the one place that reads the stored bytes back).

A record is built from the stored bytes as written (decoded, never upcast), so the Merkle log
commits to exactly what the store holds; upcasting to newer schema versions is for readers.
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from ledger.log.record import Record, event_id, event_type_from_topic


def decode_state(mapper: Mapper[Any], state: bytes) -> dict[str, Any]:
    """The stored event's state as written (decrypted and decompressed if so configured)."""
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    decoded: dict[str, Any] = mapper.transcoder.decode(state)
    return decoded


def record_from_stored(position: int, originator_id: UUID | str, version: int, topic: str,
                       state: dict[str, Any]) -> Record:
    """Everything the ledger knows of one stored event, in stored form (money in fen)."""
    envelope = state["envelope"]
    return Record(
        position=position,
        event_id=str(event_id(originator_id, version)),
        org_id=envelope["org_id"],
        entity_id=envelope["entity_id"],
        entity_version=version,
        type=event_type_from_topic(topic),
        schema_version=envelope["schema_version"],
        effective_date=envelope["effective_date"],
        recorded_at=state["timestamp"].isoformat(),
        actor=envelope["actor"],
        idempotency_key=envelope.get("idempotency_key"),
        flags=envelope.get("flags", []),
        data=state["data"],
    )


def record_of(notification: Any, event: Any) -> Record:
    """The record of an event just stored, from the state the mapper encoded (not decoded back).

    The mapper encodes the event's attributes as they are (``envelope``, ``data``, ``timestamp``:
    JSON values, the timestamp a datetime), so decoding the stored bytes would give the same values;
    ``tests/storage/test_recorder.py`` checks that for the demo's batches.
    """
    return record_from_stored(notification.id, notification.originator_id, notification.originator_version,
                              notification.topic, event.__dict__)


_JSON = json.JSONDecoder()


def decode_stored(mapper: Mapper[Any], stored: bytes | str | memoryview, as_text: bool) -> dict[str, Any]:
    """``decode_state`` of a stored state, read as bytes, or as text (PostgreSQL, no cipher, no compressor).

    Read as text, a state whose only transcoded value is its timestamp is decoded directly by the
    JSON parser (the common case, and the rebuild's hot path); any other goes through the mapper.
    """
    if not as_text:
        return decode_state(mapper, stored if isinstance(stored, bytes) else bytes(stored))  # type: ignore[arg-type]
    text = str(stored)
    names = getattr(mapper.transcoder, "names", None)
    if names is not None and text.count('"_type_"') == 1 and "\\u" not in text:
        state, end = _JSON.raw_decode(text)
        stamp = state.get("timestamp") if end == len(text) and isinstance(state, dict) else None
        if isinstance(stamp, dict) and len(stamp) == 2 and stamp.get("_type_") in names and "_data_" in stamp:
            state["timestamp"] = names[stamp["_type_"]].decode(stamp["_data_"])
            return state  # type: ignore[no-any-return]
    return decode_state(mapper, text.encode("utf-8"))
