"""Database URLs as operators write them (ledger.adapters.sql.urls)."""
from __future__ import annotations

from ledger.adapters.sql.urls import describe_url, hosts_of, normalize_url


def test_libpq_multi_host_urls_become_sqlalchemy_host_lists() -> None:
    url = "postgresql://ledger:secret@10.0.0.1:5432,10.0.0.2:5433/ledger?target_session_attrs=read-write"
    assert normalize_url(url) == ("postgresql+psycopg2://ledger:secret@/ledger?host=10.0.0.1:5432&host=10.0.0.2:5433"
                                  "&target_session_attrs=read-write")
    assert hosts_of(url) == ["10.0.0.1:5432", "10.0.0.2:5433"]
    assert "secret" not in describe_url(url)


def test_single_host_and_sqlite_urls_are_kept() -> None:
    assert normalize_url("postgres://u@h:5432/db") == "postgresql+psycopg2://u@h:5432/db"
    assert normalize_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert hosts_of("postgresql://u@h:5433/db") == ["h:5433"]
    assert normalize_url("sqlite:///:memory:") == "sqlite:///:memory:"
    assert hosts_of("sqlite:///:memory:") == []
