"""The read model: one facts table per build generation, a pointer to the active one, tracking.

A build's tracking position is written in the same transaction as its fact rows (exactly once,
resumable after a crash). A rebuild fills a new generation while readers keep using the active
one; swapping the pointer is one small transaction, so no reader sees a half-built view.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from .facts import Fact

control = MetaData()

active = Table(
    "proj_active",
    control,
    Column("name", String(32), primary_key=True),
    Column("generation", Integer, nullable=False),
)

tracking = Table(
    "proj_tracking",
    control,
    Column("generation", Integer, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("complete", Integer, nullable=False, default=0),
)

READ_MODEL = "facts"


def facts_table(generation: int) -> Table:
    """The facts table of one build generation (created on demand)."""
    name = f"proj_facts_g{generation}"
    meta = MetaData()
    return Table(
        name,
        meta,
        Column("position", BigInteger, primary_key=True, autoincrement=False),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("org_id", String(32), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("type", String(64), nullable=False),
        Column("entity_id", String(64), nullable=False),
        Column("effective_date", String(10), nullable=False),
        Column("recorded_at", String(40), nullable=False),
        Column("account", String(16), nullable=False),
        Column("debit", BigInteger, nullable=False),
        Column("credit", BigInteger, nullable=False),
        Column("attrs", Text, nullable=False),
        Index(f"ix_{name}_org_position", "org_id", "position"),
        Index(f"ix_{name}_org_effective", "org_id", "effective_date", "position"),
    )


def ensure_control(engine: Engine) -> None:
    control.create_all(engine)


def start_generation(engine: Engine) -> int:
    """Create the next generation's empty facts table and its tracking row."""
    with engine.begin() as conn:
        latest = conn.execute(select(tracking.c.generation).order_by(tracking.c.generation.desc())).scalar()
        generation = (latest or 0) + 1
        facts_table(generation).create(conn, checkfirst=True)
        conn.execute(insert(tracking).values(generation=generation, position=0, complete=0))
    return generation


def active_generation(conn: Connection) -> int | None:
    return conn.execute(select(active.c.generation).where(active.c.name == READ_MODEL)).scalar()


def unfinished_generation(conn: Connection) -> int | None:
    """A build newer than the active one that has not been swapped in (e.g. a crashed rebuild)."""
    current = active_generation(conn) or 0
    return conn.execute(select(tracking.c.generation).where(tracking.c.generation > current,
                                                            tracking.c.complete == 0)
                        .order_by(tracking.c.generation.desc())).scalar()


def tracked_position(conn: Connection, generation: int) -> int:
    return int(conn.execute(select(tracking.c.position).where(tracking.c.generation == generation)).scalar() or 0)


def write_facts(conn: Connection, generation: int, org_of: dict[int, str], facts: Sequence[Fact], upto: int) -> None:
    """Insert facts and move the generation's tracking to ``upto`` (the caller's transaction)."""
    if facts:
        conn.execute(insert(facts_table(generation)), [_row(f, org_of[f.position]) for f in facts])
    conn.execute(update(tracking).where(tracking.c.generation == generation).values(position=upto))


def swap_in(engine: Engine, generation: int) -> int | None:
    """Make ``generation`` the active read model; return the one it replaced."""
    with engine.begin() as conn:
        previous = active_generation(conn)
        if previous is None:
            conn.execute(insert(active).values(name=READ_MODEL, generation=generation))
        else:
            conn.execute(update(active).where(active.c.name == READ_MODEL).values(generation=generation))
        conn.execute(update(tracking).where(tracking.c.generation == generation).values(complete=1))
    return previous


def drop_generation(engine: Engine, generation: int) -> None:
    facts_table(generation).drop(engine, checkfirst=True)


def read_facts(conn: Connection, generation: int, org_id: str, upto: int, until_date: str | None) -> list[Fact]:
    """The CO's facts with position <= upto (and effective_date <= until_date), in log order."""
    table = facts_table(generation)
    query = select(table).where(table.c.org_id == org_id, table.c.position <= upto)
    if until_date is not None:
        query = query.where(table.c.effective_date <= until_date)
    rows = conn.execute(query.order_by(table.c.position, table.c.seq)).all()
    return [_fact(row) for row in rows]


def _row(fact: Fact, org_id: str) -> dict[str, Any]:
    return {"position": fact.position, "seq": fact.seq, "org_id": org_id, "kind": fact.kind, "type": fact.type,
            "entity_id": fact.entity_id, "effective_date": fact.effective_date, "recorded_at": fact.recorded_at,
            "account": fact.account, "debit": fact.debit, "credit": fact.credit, "attrs": fact.attrs_json()}


def _fact(row: Any) -> Fact:
    return Fact(position=int(row.position), seq=int(row.seq), kind=row.kind, type=row.type, entity_id=row.entity_id,
                effective_date=row.effective_date, recorded_at=row.recorded_at, account=row.account,
                debit=int(row.debit), credit=int(row.credit), attrs=json.loads(row.attrs))
