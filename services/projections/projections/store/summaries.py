"""Per-CO page summaries: the workbench's dashboard and worklist rows of (kind, CO, year, CO prefix).

Every figure in such a row comes from the CO's own events, so the CO's log prefix fixes it: a stored
row of a prefix is the row of that prefix, whoever computed it (the warmer in the background or a
first visit). ``version`` names the code that made the row (the views' projection version, the
books rules version and the summary's own version): rows of another version are never read.
"""
from __future__ import annotations

import weakref
from typing import Iterable

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text, and_, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

meta = MetaData()

summaries = Table(
    "proj_page_summaries",
    meta,
    Column("kind", String(16), primary_key=True),
    Column("org_id", String(32), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("prefix", BigInteger, primary_key=True, autoincrement=False),
    Column("version", String(32), primary_key=True),
    Column("payload", Text, nullable=False),
)

_ENSURED: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def ensure(engine: Engine) -> None:
    if engine not in _ENSURED:
        meta.create_all(engine)
        _ENSURED.add(engine)


def read(engine: Engine, kind: str, year: int, version: str, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The stored payloads of (CO, prefix) ``keys`` (those present), in one query."""
    wanted = list(keys)
    if not wanted:
        return {}
    ensure(engine)
    found: dict[tuple[str, int], str] = {}
    for start in range(0, len(wanted), 200):
        chunk = wanted[start:start + 200]
        query = select(summaries.c.org_id, summaries.c.prefix, summaries.c.payload).where(
            summaries.c.kind == kind, summaries.c.year == year, summaries.c.version == version,
            or_(*(and_(summaries.c.org_id == org, summaries.c.prefix == prefix) for org, prefix in chunk)))
        with engine.connect() as conn:
            found.update({(row.org_id, int(row.prefix)): row.payload for row in conn.execute(query)})
    return found


def write(engine: Engine, kind: str, org_id: str, year: int, prefix: int, version: str, payload: str) -> None:
    """Store one row's payload; a row stored meanwhile by another writer is the same row, and kept."""
    ensure(engine)
    try:
        with engine.begin() as conn:
            conn.execute(summaries.insert().values(kind=kind, org_id=org_id, year=year, prefix=prefix,
                                                   version=version, payload=payload))
    except IntegrityError:
        pass
