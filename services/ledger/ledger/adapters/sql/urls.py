"""Database URLs as operators write them, turned into what SQLAlchemy and libpq take.

Accepted forms:

- ``sqlite:///var/ledger.db`` (the embedded default; the folder is created);
- ``postgres://``, ``postgresql://`` or ``postgresql+psycopg2://`` with one host;
- libpq's multi-host form for an HA cluster,
  ``postgresql://user@h1:5432,h2:5432,h3:5432/ledger?target_session_attrs=read-write``,
  which becomes SQLAlchemy's ``postgresql+psycopg2://user@/ledger?host=h1:5432&host=h2:5432...``:
  libpq tries the hosts in order and keeps the first that matches ``target_session_attrs``
  (``read-write`` finds the primary; ``prefer-standby`` a replica, for the read URL).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy.engine import make_url

_PG_PREFIXES = ("postgres://", "postgresql://", "postgresql+psycopg2://")


def normalize_url(url: str) -> str:
    """Use psycopg2 for PostgreSQL (one host or several); create SQLite folders."""
    for prefix in _PG_PREFIXES:
        if url.startswith(prefix):
            return _multi_host("postgresql+psycopg2://" + url[len(prefix):])
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def _multi_host(url: str) -> str:
    parts = urlsplit(url)
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if "," not in hostlist:
        return url
    hosts = [("host", host) for host in hostlist.split(",") if host]
    query = hosts + parse_qsl(parts.query, keep_blank_values=True)
    return f"{parts.scheme}://{userinfo}{at}{parts.path}?{urlencode(query, safe=':')}"


def describe_url(database_url: str) -> str:
    """The database URL with its password hidden, for messages."""
    return make_url(normalize_url(database_url)).render_as_string(hide_password=True)


def hosts_of(database_url: str) -> list[str]:
    """The host:port entries a PostgreSQL URL names (one or several), for /readyz and logs."""
    url = make_url(normalize_url(database_url))
    named = url.query.get("host")
    if named:
        return [named] if isinstance(named, str) else list(named)
    return [f"{url.host or 'localhost'}:{url.port or 5432}"] if url.drivername.startswith("postgresql") else []
