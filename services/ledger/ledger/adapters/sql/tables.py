"""The ledger's own tables beside the event store's ``ledger_events``.

``ledger_entries`` indexes every stored event by CO, entity, type and dates, with its leaf in
the CO's Merkle log; it is written in the same transaction as the event. Rows of the
append-only tables are never updated or deleted (database triggers refuse it).
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

EVENTS_TABLE = "ledger_events"
"""Created by the eventsourcing SQLAlchemy recorder (application name 'Ledger')."""

entries = Table(
    "ledger_entries",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("org_id", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("entity_version", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("effective_date", String(10), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("idempotency_key", String(128)),
    Column("flagged", Boolean, nullable=False),
    Column("leaf_index", BigInteger, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Index("ix_entries_org_position", "org_id", "position"),
    Index("ix_entries_org_leaf", "org_id", "leaf_index", unique=True),
    Index("ix_entries_org_entity", "org_id", "entity_id", "position"),
    Index("ix_entries_org_type", "org_id", "type", "position"),
    Index("ix_entries_org_effective", "org_id", "effective_date", "position"),
    Index("ix_entries_recorded_at", "recorded_at"),
)

references = Table(
    "ledger_references",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("field", String(64), primary_key=True),
    Column("target_id", String(64), primary_key=True),
    Column("org_id", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("entity_kind", String(32), nullable=False),
    Index("ix_references_target", "org_id", "target_id", "entity_kind"),
)

organizations = Table(
    "ledger_organizations",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("street", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

closed_periods = Table(
    "ledger_closed_periods",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("period", String(8), primary_key=True),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("position", BigInteger, nullable=False),
)

idempotency = Table(
    "ledger_idempotency",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "ledger_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("subject", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("org_id", String(32)),
    Column("street", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
)

log_nodes = Table(
    "ledger_log_nodes",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("idx", BigInteger, primary_key=True),
    Column("hash", LargeBinary(32), nullable=False),
)

log_heads = Table(
    "ledger_log_heads",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("frontier", Text, nullable=False),
    Column("checkpoint", Text, nullable=False),
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("org_id", String(32), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
)
"""Every signed checkpoint the ledger issued (one per append batch), kept for later proofs."""

APPEND_ONLY = (EVENTS_TABLE, "ledger_entries", "ledger_references", "ledger_idempotency", "ledger_log_nodes",
               "ledger_checkpoints", "ledger_closed_periods", "ledger_organizations")
"""Tables whose rows are never updated or deleted; triggers enforce it in the database."""
