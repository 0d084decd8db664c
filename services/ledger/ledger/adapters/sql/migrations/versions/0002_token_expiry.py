"""Tokens may expire: ``ledger_tokens.expires_at`` (``ledger tokens create --expires``, issue 14).

A database migrated to 0001 before this column existed gets it, empty (no token expires); one that
0001 created from today's table definition has it already, so the column is added only if missing.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("ledger_tokens")}
    if "expires_at" not in columns:
        op.add_column("ledger_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the ledger's schema only moves forward; restore a backup instead")
