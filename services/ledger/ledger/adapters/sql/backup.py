"""Backup and restore of the whole database: PostgreSQL with pg_dump (one consistent snapshot),
SQLite with its online backup API (a consistent copy while writers run).

A backup folder holds the dump (``ledger.pgdump`` or ``ledger.db``) and ``manifest.json``: the
kind, the schema revision, the log's last position, the ledger's verifier key and when it was taken.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import URL, make_url

from ledger.adapters.sql.migrations import current
from ledger.adapters.sql.tables import entries

MANIFEST = "manifest.json"
FILES = {"postgresql": "ledger.pgdump", "sqlite": "ledger.db"}


class BackupError(RuntimeError):
    """A backup or restore that cannot go on (the message says why)."""


def postgres_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` on PATH or under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return candidates[-1]
    if found:
        return found
    raise BackupError(f"{name} not found (install the PostgreSQL client tools)")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    return plain, env


def _summary(database_url: str) -> dict[str, Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {"schema_revision": current(conn),
                    "last_position": int(conn.execute(select(func.max(entries.c.position))).scalar() or 0)}
    finally:
        engine.dispose()


def backup(database_url: str, directory: Path, vkey: str | None) -> dict[str, Any]:
    """Write a consistent copy of the database into ``directory`` (new or empty); return the manifest."""
    url = make_url(database_url)
    kind = url.get_backend_name()
    if kind not in FILES:
        raise BackupError(f"no backup for {kind} databases")
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new folder")
    target = directory / FILES[kind]
    summary = _summary(database_url)  # before the copy: the copy holds at least this much
    if kind == "sqlite":
        _sqlite_copy(str(url.database), str(target))
    else:
        conninfo, env = _libpq(url)
        _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
              f"--dbname={conninfo}"], env)
    manifest = {"kind": kind, "file": target.name, **summary, "vkey": vkey,
                "taken_at": datetime.now(timezone.utc).isoformat()}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory} is not a ledger backup ({MANIFEST}: {exc})") from None
    return manifest


def restore(directory: Path, database_url: str) -> dict[str, Any]:
    """Restore the backup in ``directory`` into an empty database of the same kind; return its manifest."""
    manifest = read_manifest(directory)
    url = make_url(database_url)
    kind = url.get_backend_name()
    if manifest["kind"] != kind:
        raise BackupError(f"the backup is of a {manifest['kind']} database; LEDGER_DATABASE_URL is {kind}")
    source = directory / manifest["file"]
    engine = create_engine(database_url)
    try:
        existing = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if existing:
        raise BackupError(f"the target database is not empty ({len(existing)} tables, e.g. {existing[0]}): "
                          "restore into a new, empty database")
    if kind == "sqlite":
        _sqlite_copy(f"file:{source}?mode=ro", str(url.database))
    else:
        conninfo, env = _libpq(url)
        _run([postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={conninfo}", str(source)], env)
    return manifest


def _sqlite_copy(source: str, target: str) -> None:
    """Copy a SQLite database with the online backup API (consistent while the source has writers)."""
    origin, copy = sqlite3.connect(source, uri=source.startswith("file:")), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")
