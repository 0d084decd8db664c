"""Response bodies of the log endpoints: key, checkpoint, proofs, dossier (hashes in hex)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class KeyOut(BaseModel):
    vkey: str = Field(description="C2SP signed-note verifier key: <name>+<key id>+<base64 Ed25519 key>.")
    name: str
    key_id: str = Field(description="The 4-byte key id in hex.")
    origin_prefix: str = Field(description="Every CO log's checkpoint origin is this prefix plus the org id.")


class CheckpointOut(BaseModel):
    origin: str
    tree_size: int
    root_hash: str
    timestamp: str | None
    checkpoint: str = Field(description="The C2SP signed note (tlog-checkpoint).")


class InclusionOut(BaseModel):
    """RFC 9162 inclusion proof of one leaf; verify leaf_hash against the checkpoint's root."""

    org_id: str
    leaf_index: int
    position: int
    tree_size: int
    leaf_hash: str = Field(description="Leaf hash of the event's canonical bytes as stored now.")
    logged_leaf_hash: str = Field(description="The leaf hash the log committed to at append time.")
    stored_bytes_match_log: bool = Field(description="False: the stored event changed after it was logged.")
    proof: list[str]
    root_hash: str
    checkpoint: str | None = Field(description="The checkpoint signed at tree_size, if the ledger issued one.")
    record: dict[str, Any] = Field(description="The event as stored; its canonical JSON is the leaf's bytes.")


class ConsistencyOut(BaseModel):
    """RFC 9162 consistency proof: the tree of size first is a prefix of the tree of size second."""

    org_id: str
    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str
    first_checkpoint: str | None
    second_checkpoint: str | None


class DossierEntity(BaseModel):
    entity_id: str
    kind: str | None
    cites: list[dict[str, Any]] = Field(description="position, field and target_id of each citation.")
    cited_by: list[str]
    positions: list[int]


class DossierEvent(BaseModel):
    position: int
    leaf_index: int
    entity_id: str
    type: str
    record: dict[str, Any] = Field(description="Stored form: recorded_at, actor, effective_date, data in fen.")
    leaf_hash: str
    inclusion_proof: list[str]
    tlog_proof: str = Field(description="The same proof as c2sp.org/tlog-proof@v1 text.")


class Integrity(BaseModel):
    stored_bytes_match_log: bool
    mismatches: list[dict[str, Any]]


class DossierOut(BaseModel):
    """Every event of an entity and of what it cites, each proven against one signed checkpoint."""

    format: str
    org_id: str
    entity_id: str
    origin: str
    vkey: str
    checkpoint: str
    tree_size: int
    root_hash: str
    entities: list[DossierEntity]
    events: list[DossierEvent]
    integrity: Integrity
