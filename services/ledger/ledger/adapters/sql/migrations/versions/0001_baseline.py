"""Baseline: the schema the releases before migrations created at every start.

Tables (the event store's ``ledger_events``, the ledger's own, the read model's control tables),
their indexes and the append-only triggers. Every statement checks first, so a database made by
an earlier release (unstamped, same schema) is adopted in place with its data: migrate stamps it.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

from alembic import op

from ledger.adapters.sql.event_store import events_table_definition, install_append_only_triggers
from ledger.adapters.sql.tables import metadata
from projections.store.read_model import control

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "ledger_references", "ledger_organizations", "ledger_closed_periods",
          "ledger_idempotency", "ledger_tokens", "ledger_log_nodes", "ledger_log_heads", "ledger_checkpoints")
"""The ledger's own tables as of this revision (later tables come with later revisions)."""


def upgrade() -> None:
    bind = op.get_bind()
    events_table_definition().create(bind, checkfirst=True)
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
    control.create_all(bind, checkfirst=True)
    install_append_only_triggers(bind)


def downgrade() -> None:
    raise NotImplementedError("the ledger's schema only moves forward; restore a backup instead")
