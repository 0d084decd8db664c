"""Fault tests reuse the storage fixtures: a fresh, migrated database of each kind per test."""
from tests.storage.conftest import services  # noqa: F401
