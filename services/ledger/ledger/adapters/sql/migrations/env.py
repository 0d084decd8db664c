"""Alembic's environment: run the revisions on the connection ``migrations.migrate`` passes in."""
from __future__ import annotations

from alembic import context
from sqlalchemy import text

from ledger.adapters.sql.migrations import MIGRATE_LOCK

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=False)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # a second migrator waits here, then finds the schema at head and does nothing
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
    context.run_migrations()
