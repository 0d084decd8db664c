"""The read model: one facts table per build generation, a pointer to the active one, tracking.

A build's tracking position is written in the same transaction as its fact rows (exactly once,
resumable after a crash). A rebuild fills a new generation while readers keep using the active
one; swapping the pointer is one small transaction, so no reader sees a half-built view.

Speed: a new generation is filled with only its primary key (on PostgreSQL with COPY); its
secondary indexes are built once, before it is swapped in (``index_generation``), which is much
cheaper than maintaining them row by row.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import secrets
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    literal,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ledger.adapters.sql.pipeline import render, render_rows, send
from ledger.adapters.sql.tables import entries
from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.common import FINDING_KINDS
from projections.selection import (
    ORG_TYPES,
    READS,
    SHARE_KINDS,
    Totals,
    cited_vouchers,
    contributions,
    declared_in,
    month_of,
    summed_kinds,
)

failure_log = logging.getLogger("ledger.projector")

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


COLUMNS = ("position", "seq", "org_id", "kind", "type", "entity_id", "effective_date", "recorded_at", "account",
           "debit", "credit", "attrs")


@lru_cache(maxsize=64)
def facts_table(generation: int, indexed: bool = True) -> Table:
    """The facts table of one build generation (created on demand); ``indexed=False``: primary key only.

    One Table object per (generation, indexed), so SQLAlchemy's statement cache recognises the
    view statements built on it (a new Table each time would compile them again on every view).
    """
    name = f"proj_facts_g{generation}"
    meta = MetaData()
    indexes = (
        Index(f"ix_{name}_org_position", "org_id", "position"),
        Index(f"ix_{name}_org_effective", "org_id", "effective_date", "position"),
        Index(f"ix_{name}_org_kind_effective", "org_id", "kind", "effective_date", "position",
              postgresql_include=["entity_id", "account", "debit", "credit"]),
    )
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
        *(indexes if indexed else ()),
    )


TOTAL_COLUMNS = ("org_id", "kind", "key", "member", "month", "debit", "credit", "lines")


@lru_cache(maxsize=64)
def totals_table(generation: int, indexed: bool = True) -> Table:
    """The monthly totals of one generation's facts of the summed kinds (``selection.Totals``).

    A row per (CO, kind, key, member, month), unique (``indexed=False``: the table without its unique
    index, which a bulk build adds once it is filled): ``journal`` per account (key), debit and
    credit; ``shares`` per member (key), net shares in ``debit``; ``paid`` per distribution (key) and
    ``paid_member`` per (distribution, member), the amount in ``debit``; ``lines``: how many
    contributions the row sums. Kept in the transactions that write the facts (``add_totals``), built
    at once from the facts by a rebuild (``build_totals``). One row with no CO (kind ``_position``)
    holds the log position they have summed to, moved with the tracking position: the views read the
    totals only when the two agree (``totals_ready``).
    """
    name = f"proj_totals_g{generation}"
    return Table(
        name,
        MetaData(),
        Column("org_id", String(32), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("key", String(64), nullable=False),
        Column("member", String(64), nullable=False),
        Column("month", String(7), nullable=False),
        Column("debit", BigInteger, nullable=False),
        Column("credit", BigInteger, nullable=False),
        Column("lines", BigInteger, nullable=False),
        *((Index(f"ux_{name}", "org_id", "kind", "key", "member", "month", unique=True),) if indexed else ()),
    )


_TOTALS_READY: set[tuple[str, int]] = set()


def has_totals(conn: Connection, generation: int) -> bool:
    """Whether the generation has its totals (a generation built before they existed has none until
    ``build_totals``); a yes is remembered per database and generation."""
    key = (str(conn.engine.url), generation)
    if key in _TOTALS_READY:
        return True
    if conn.dialect.has_table(conn, totals_table(generation).name):
        _TOTALS_READY.add(key)
        return True
    return False


POSITION_KIND = "_position"
"""The kind of the totals' one row with no CO: ``debit`` is the log position the totals have summed to."""


def _position_row(generation: int) -> Any:
    t = totals_table(generation).c
    return and_(t.org_id == "", t.kind == POSITION_KIND)


def totals_ready(conn: Connection, generation: int) -> bool:
    """Whether the generation's totals sum exactly the facts it holds: they exist and have summed to its
    tracking position (one statement, one snapshot). Not so when a writer that does not keep them (a
    release before the totals, run against this read model) moved the tracking: then the views known
    now read the facts, and the follower makes the totals again (``build_totals``)."""
    if not has_totals(conn, generation):
        return False
    row = conn.execute(_totals_ready_statement(generation)).first()
    return row is not None and row[1] is not None and int(row[0]) == int(row[1])


@lru_cache(maxsize=64)
def _totals_ready_statement(generation: int) -> Any:
    summed = select(totals_table(generation).c.debit).where(_position_row(generation)).scalar_subquery()
    return select(tracking.c.position, summed).where(tracking.c.generation == generation)


def _advance_totals(conn: Connection, generation: int, after: int, upto: int) -> bool:
    """Move the totals' position from ``after`` to ``upto`` if it is there (else they are stale: left alone)."""
    t = totals_table(generation)
    moved = conn.execute(update(t).where(_position_row(generation), t.c.debit == after).values(debit=upto))
    return moved.rowcount == 1


def build_totals(engine: Engine, generation: int, parallel: bool = False) -> None:
    """(Re)make the generation's totals from its facts.

    In one transaction that holds the generation's tracking row (no batch of the follower commits
    in between), or with ``parallel`` (a rebuild's generation, which nothing else writes) in two
    transactions at once on PostgreSQL: the journal and shares on one core, the dividends on the other.
    """
    table = totals_table(generation)
    parallel = parallel and engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        unbounded(conn)
        conn.execute(update(tracking).where(tracking.c.generation == generation)
                     .values(position=tracking.c.position))
        table.drop(conn, checkfirst=True)
        totals_table(generation, indexed=False).create(conn)  # filled first, indexed once after
        if not parallel:
            for statement in (*_totals_statements(conn, generation, "books"),
                              *_totals_statements(conn, generation, "dividends")):
                conn.execute(statement)
            _insert_position(conn, generation)
            for index in table.indexes:
                index.create(conn)
    if parallel:
        def build(part: str) -> None:
            with engine.begin() as conn:
                unbounded(conn)
                for statement in _totals_statements(conn, generation, part):
                    conn.execute(statement)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="totals") as pool:
            list(pool.map(build, ("dividends", "books")))
        with engine.begin() as conn:
            unbounded(conn)
            _insert_position(conn, generation)  # a rebuild's generation: nothing moves its tracking meanwhile
            for index in table.indexes:
                index.create(conn)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            unbounded(conn)
            conn.exec_driver_sql(f"ANALYZE {table.name}")  # the planner's row counts of the new table
    _TOTALS_READY.add((str(engine.url), generation))


def _insert_position(conn: Connection, generation: int) -> None:
    """The totals' position row: they sum the facts up to the tracking position (read in this transaction)."""
    conn.execute(totals_table(generation).insert().values(
        org_id="", kind=POSITION_KIND, key="", member="", month="", debit=tracked_position(conn, generation),
        credit=0, lines=0))


def _totals_statements(conn: Connection, generation: int, part: str) -> list[Any]:
    """The INSERT ... SELECT statements of ``build_totals``: part "books" (journal, shares) or "dividends"
    (paid per member, then per distribution from those). Each stored attribute text is parsed once."""
    table, c = totals_table(generation), facts_table(generation).c
    month, none = func.substr(c.effective_date, 1, 7).label("month"), literal("")

    def parsed(kinds: Sequence[str]) -> Any:
        """The facts of ``kinds`` with their attributes parsed (PostgreSQL: jsonb; SQLite: the text)."""
        attrs = cast(c.attrs, postgresql.JSONB) if conn.dialect.name == "postgresql" else c.attrs
        query = select(c.org_id, c.kind, c.entity_id, month, attrs.label("j")).where(c.kind.in_(kinds))
        return query.offset(0).subquery() if conn.dialect.name == "postgresql" else query.subquery()

    def attr(source: Any, key: str) -> Any:
        if conn.dialect.name == "postgresql":
            return source.c.j[key].astext
        return func.json_extract(source.c.j, f"$.{key}")

    def grouped(source: Any, kind: str, key: Any, member: Any, debit: Any) -> Any:
        keys = (source.c.org_id, key, *(() if member is none else (member,)), source.c.month)
        return table.insert().from_select(TOTAL_COLUMNS, select(
            source.c.org_id, literal(kind), key, member, source.c.month, func.sum(debit), literal(0), func.count())
            .group_by(*keys).order_by(*keys))  # a CO's rows side by side: a view reads a few pages, not one per row

    if part == "books":
        journal = table.insert().from_select(TOTAL_COLUMNS, select(
            c.org_id, literal("journal"), c.account, none, month, func.sum(c.debit), func.sum(c.credit), func.count())
            .where(c.kind == "journal", c.type.not_in(ORG_TYPES)).group_by(c.org_id, c.account, month)
            .order_by(c.org_id, c.account, month))
        allotted, transfers = parsed(("SharesAllotted",)), parsed(("SharesTransferred",))
        moves = union_all(
            select(allotted.c.org_id, allotted.c.entity_id.label("member"), allotted.c.month,
                   cast(attr(allotted, "shares"), BigInteger).label("shares")),
            select(transfers.c.org_id, transfers.c.entity_id, transfers.c.month,
                   -cast(attr(transfers, "shares"), BigInteger)),
            select(transfers.c.org_id, cast(attr(transfers, "to_member_id"), String), transfers.c.month,
                   cast(attr(transfers, "shares"), BigInteger)),
        ).subquery()
        return [journal, grouped(moves, "shares", moves.c.member, none, moves.c.shares)]
    payments = parsed(("DividendPaid",))
    per_member = grouped(payments, "paid_member", cast(attr(payments, "distribution_id"), String),
                         cast(attr(payments, "member_id"), String), cast(attr(payments, "amount"), BigInteger))
    t = table.c
    per_distribution = table.insert().from_select(TOTAL_COLUMNS, select(
        t.org_id, literal("paid"), t.key, none, t.month, func.sum(t.debit), literal(0), func.sum(t.lines))
        .where(t.kind == "paid_member").group_by(t.org_id, t.key, t.month))
    return [per_member, per_distribution]


def add_totals(conn: Connection, generation: int, org_of: dict[int, str], facts: Sequence[Fact]) -> None:
    """Add facts to the generation's totals: one multi-row upsert of the batch's rows, summed per key first
    (so no key comes twice in a statement, which ON CONFLICT DO UPDATE refuses)."""
    values = _total_rows(org_of, facts)
    if not values:
        return
    table = totals_table(generation)
    if conn.dialect.name == "postgresql":  # multi-row statements (psycopg2's executemany: a round trip a row)
        cursor = conn.connection.cursor()
        try:
            statements = [_upsert_sql(cursor, generation, values[at:at + _UPSERT_ROWS])
                          for at in range(0, len(values), _UPSERT_ROWS)]
        finally:
            cursor.close()
        send(conn, ";\n".join(statements))
        return
    upsert = sqlite.insert(table)
    conn.execute(upsert.on_conflict_do_update(
        index_elements=list(TOTAL_COLUMNS[:5]),
        set_={name: table.c[name] + upsert.excluded[name] for name in ("debit", "credit", "lines")}),
        [dict(zip(TOTAL_COLUMNS, row)) for row in values])


def _total_rows(org_of: dict[int, str], facts: Sequence[Fact]) -> list[tuple[Any, ...]]:
    """The totals' rows (TOTAL_COLUMNS) the facts add, summed per key, in key order."""
    rows: dict[tuple[str, str, str, str, str], list[int]] = {}
    for f in facts:
        if f.type in ORG_TYPES:
            continue
        for kind, key, member, debit, credit in contributions(f):
            row = rows.setdefault((org_of[f.position], kind, key, member, month_of(f.effective_date)), [0, 0, 0])
            row[0], row[1], row[2] = row[0] + debit, row[1] + credit, row[2] + 1
    return [(*key, *sums) for key, sums in sorted(rows.items())]


def _upsert_sql(cursor: Any, generation: int, rows: Sequence[Sequence[Any]]) -> str:
    """The totals' upsert of these rows (TOTAL_COLUMNS, no key twice), rendered for PostgreSQL."""
    return _UPSERT_SQL.format(table=totals_table(generation).name).replace(
        "VALUES %s", "VALUES " + render_rows(cursor, len(TOTAL_COLUMNS), rows), 1)


_UPSERT_SQL = (
    f"INSERT INTO {{table}} AS t ({', '.join(TOTAL_COLUMNS)}) VALUES %s "
    f"ON CONFLICT ({', '.join(TOTAL_COLUMNS[:5])}) DO UPDATE SET "
    + ", ".join(f"{name} = t.{name} + EXCLUDED.{name}" for name in ("debit", "credit", "lines")))
_UPSERT_ROWS = 1000
"""Rows per upsert statement of ``add_totals`` on PostgreSQL."""


def start_generation(engine: Engine) -> int:
    """Create the next generation's empty facts table (primary key only), its totals and its tracking row."""
    with engine.begin() as conn:
        latest = conn.execute(select(tracking.c.generation).order_by(tracking.c.generation.desc())).scalar()
        generation = (latest or 0) + 1
        facts_table(generation, indexed=False).create(conn, checkfirst=True)
        totals_table(generation).create(conn, checkfirst=True)
        conn.execute(insert(tracking).values(generation=generation, position=0, complete=0))
        _insert_position(conn, generation)
    return generation


def index_generation(engine: Engine, generation: int) -> None:
    """Build the generation's secondary indexes (if missing) and refresh the planner's statistics.

    On PostgreSQL the indexes are built two at a time on their own connections (one core each).
    """
    table = facts_table(generation)

    def build(index: Index) -> None:
        with engine.begin() as conn:
            unbounded(conn)
            index.create(conn, checkfirst=True)
    if engine.dialect.name == "postgresql":
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="index") as pool:
            list(pool.map(build, sorted(table.indexes, key=lambda index: index.name)))
    else:
        for index in sorted(table.indexes, key=lambda index: index.name):
            build(index)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            unbounded(conn)
            conn.exec_driver_sql(f"ANALYZE {table.name}")


def unbounded(conn: Connection) -> None:
    """Lift ``statement_timeout`` for this transaction (a rebuild's bulk statements; PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


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


class TrackingMoved(Exception):
    """Another writer (an inline projection) moved the generation's tracking past a batch being written."""


def write_facts(conn: Connection, generation: int, org_of: dict[int, str], facts: Sequence[Fact], after: int,
                upto: int, totals: bool = True) -> None:
    """Move the generation's tracking from ``after`` to ``upto``, insert the facts and add them to its totals
    (``totals``), in the caller's transaction; ``TrackingMoved`` (write nothing) if it is no longer at ``after``.

    The tracking row is updated first: its lock orders this batch against an inline projection's.
    """
    if not advance_tracking(conn, generation, after, upto):
        raise TrackingMoved(f"generation {generation} moved past position {after}")
    insert_facts(conn, generation, org_of, facts)
    if totals and _advance_totals(conn, generation, after, upto):
        add_totals(conn, generation, org_of, facts)


def insert_facts(conn: Connection, generation: int, org_of: dict[int, str], facts: Sequence[Fact]) -> None:
    """Insert facts (``org_of``: each fact's CO by position) in the caller's transaction."""
    if facts and conn.dialect.name == "postgresql":
        _copy(conn, facts_table(generation, indexed=False).name, [_values(f, org_of[f.position]) for f in facts])
    elif facts:
        conn.execute(insert(facts_table(generation, indexed=False)), [_row(f, org_of[f.position]) for f in facts])


def advance_tracking(conn: Connection, generation: int, after: int, upto: int) -> bool:
    """Move the generation's tracking from ``after`` to ``upto`` if it is still at ``after`` (the caller's
    transaction, which holds the row until it ends); False: another writer moved it."""
    moved = conn.execute(update(tracking).where(tracking.c.generation == generation, tracking.c.position == after)
                         .values(position=upto))
    return moved.rowcount == 1


def set_tracked_position(conn: Connection, generation: int, upto: int) -> None:
    conn.execute(update(tracking).where(tracking.c.generation == generation).values(position=upto))


def delete_facts_after(conn: Connection, generation: int, position: int) -> None:
    """Drop the rows a stopped build wrote above its tracking position (a generation not yet swapped in)."""
    table = facts_table(generation, indexed=False)
    conn.execute(table.delete().where(table.c.position > position))


@lru_cache(maxsize=1)
def _lag_statement() -> Any:
    tracked_of = (select(tracking.c.position).join(active, active.c.generation == tracking.c.generation)
                  .where(active.c.name == READ_MODEL).scalar_subquery())
    tracked = func.coalesce(tracked_of, 0)
    return select(
        select(active.c.generation).where(active.c.name == READ_MODEL).scalar_subquery(),
        tracked,
        select(func.max(entries.c.position)).scalar_subquery(),
        select(entries.c.recorded_at).where(entries.c.position > tracked).order_by(entries.c.position)
        .limit(1).scalar_subquery())


def lag(conn: Connection) -> dict[str, Any]:
    """How far the active read model is behind the log: positions, and seconds since the first event it lacks
    (one statement, one snapshot: the active generation, its tracking position, the log's last position and
    the time of the first event after it)."""
    generation, tracked_position, last, first_missing = conn.execute(_lag_statement()).one()
    tracked_position, last = int(tracked_position or 0), int(last or 0)
    seconds = 0.0
    if first_missing is not None:
        moment = first_missing if first_missing.tzinfo else first_missing.replace(tzinfo=timezone.utc)
        seconds = max(0.0, round((datetime.now(timezone.utc) - moment).total_seconds(), 3))
    return {"generation": generation, "tracked_position": tracked_position, "last_position": last,
            "positions": max(0, last - tracked_position), "seconds": seconds}


def write_inline(conn: Connection, generation: int, before: int, upto: int, org_of: dict[int, str],
                 facts_of: Callable[[], Sequence[Fact]]) -> bool:
    """The inline projection's write (``projections.inline``): move the tracking from ``before`` to ``upto``
    and write the facts and their totals, in a savepoint of the caller's transaction. False (nothing
    written, the transaction usable) if the tracking is not at ``before``, or if the write fails (a
    rebuild's swap dropped the generation in between, facts that cannot be made of an event): the
    follower then projects those positions, and reports what fails there."""
    try:
        with conn.begin_nested():
            if not advance_tracking(conn, generation, before, upto):
                return False
            facts = facts_of()
            insert_facts(conn, generation, org_of, facts)
            if _advance_totals(conn, generation, before, upto):  # stale totals stay stale (not ready)
                add_totals(conn, generation, org_of, facts)
    except Exception as exc:  # noqa: BLE001 - the database's (COPY: psycopg2's own) or making the facts: never the append's
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        failure_log.warning(json.dumps({"event": "inline-projection-skipped", "generation": generation,
                                        "error": f"{type(cause).__name__}: {cause}"[:300]},
                                       ensure_ascii=False))
        return False
    return True


def write_inline_block(conn: Connection, generation: int, first: int, upto: int, org_of: dict[int, str],
                       facts_of: Callable[[], Sequence[Fact]]) -> tuple[bool, int | None]:
    """``write_inline`` in one round trip (PostgreSQL): the same conditions and writes, as one PL/pgSQL
    block in a savepoint, its values rendered by psycopg2's quoting. In the block: nothing unless
    ``generation`` is still the active one; the tracking moves from the log's last position before
    ``first`` to ``upto`` only if it is there, and only then are the facts inserted; the totals move and
    add the facts' sums only if they had summed to that same position. Returns whether the tracking
    moved (the facts are written), and the active generation after the block. Not written (nothing
    written, the transaction usable): the conditions did not hold, or making or writing the facts
    failed (logged as ``inline-projection-skipped``): the follower then projects those positions, and
    reports what fails there. A lost connection is raised: the append fails with it."""
    sent = False
    try:
        facts = facts_of()
        cursor = conn.connection.cursor()
        try:
            facts_sql = (f"INSERT INTO {facts_table(generation, indexed=False).name} ({', '.join(COLUMNS)}) "
                         "VALUES " + render_rows(cursor, len(COLUMNS), [_values(f, org_of[f.position])
                                                                        for f in facts]) + ";") if facts else ""
            totals = _total_rows(org_of, facts)
            totals_sql = _upsert_sql(cursor, generation, totals) + ";" if totals else ""
            model, position_kind = render(cursor, "%s", (READ_MODEL,)), render(cursor, "%s", (POSITION_KIND,))
        finally:
            cursor.close()
        body = (
            f"DECLARE before bigint; BEGIN "
            f"IF (SELECT generation FROM {active.name} WHERE name = {model}) IS DISTINCT FROM {generation} THEN "
            f"RETURN; END IF; "
            f"SELECT coalesce(max(position), 0) INTO before FROM {entries.name} WHERE position < {int(first)}; "
            f"UPDATE {tracking.name} SET position = {int(upto)} "
            f"WHERE generation = {generation} AND position = before; "
            f"IF NOT FOUND THEN RETURN; END IF; "
            f"{facts_sql} "
            f"UPDATE {totals_table(generation).name} SET debit = {int(upto)} "
            f"WHERE org_id = '' AND kind = {position_kind} AND debit = before; "
            f"IF FOUND THEN {totals_sql} END IF; "
            f"END"
        )
        tag = "$inline$"
        while tag in body:
            tag = f"$inline{secrets.token_hex(4)}$"
        sql = (f"SAVEPOINT inline_projection; DO {tag}{body}{tag}; RELEASE SAVEPOINT inline_projection; "
               f"SELECT (SELECT position FROM {tracking.name} WHERE generation = {generation}), "
               f"(SELECT generation FROM {active.name} WHERE name = {model})")
        sent = True
        moved, now_active = send(conn, sql).one()
    except Exception as exc:  # noqa: BLE001 - making, rendering or writing the facts: never the append's
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            raise
        if sent:
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT inline_projection; RELEASE SAVEPOINT inline_projection")
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        failure_log.warning(json.dumps({"event": "inline-projection-skipped", "generation": generation,
                                        "error": f"{type(cause).__name__}: {cause}"[:300]},
                                       ensure_ascii=False))
        return False, None
    return moved is not None and int(moved) == upto, now_active


def position_before(conn: Connection, position: int) -> int:
    """The log's last position before ``position`` (0: none)."""
    return int(conn.execute(select(func.max(entries.c.position)).where(entries.c.position < position)).scalar() or 0)


def count_events(conn: Connection, after: int, upto: int) -> int:
    """How many events the ledger holds with ``after < position <= upto``."""
    return int(conn.execute(select(func.count()).select_from(entries)
                            .where(entries.c.position > after, entries.c.position <= upto)).scalar() or 0)


def _copy(conn: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows into ``table`` in the connection's transaction (CSV: every string quoted, so '' stays '')."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    cursor = conn.connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()


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
    totals_table(generation).drop(engine, checkfirst=True)


def read_selection(conn: Connection, generation: int, org_id: str, upto: int, view: str, period: Period) -> list[Fact]:
    """What ``selection.select_facts`` selects for ``view`` of ``period`` from the CO's facts with position <= upto.

    The facts read one by one (the settings, the period's, the earlier kinds the view carries
    forward) in log order, and the lines of the vouchers their reversals cite; then the totals that
    stand for the other earlier facts (``selection.Totals``). As known now (no fact of the CO after
    ``upto`` in the read model) those come from the generation's monthly totals, a row per key and
    month; as known at an earlier position, from the facts themselves: the journal's sums per
    (account, month), served by the covering index on (org, kind, effective date), and the member
    facts of the summed kinds. Statements: ``selection_statements``.
    """
    values = _selection_values(org_id, upto, period, (), ())
    facts = _facts(conn.execute(_selection_templates(generation, view, False, False)["facts"], values).all())
    cited, declared = sorted(cited_vouchers(facts)), declared_in(facts, period)
    values = _selection_values(org_id, upto, period, cited, sorted(declared))
    statements = _selection_templates(generation, view, bool(cited), bool(declared))
    earlier_cited: list[Fact] = []
    if statements["cited"] is not None:
        earlier_cited = _facts(conn.execute(statements["cited"], values).all())
        facts = sorted(facts + earlier_cited, key=lambda f: (f.position, f.seq))
    if statements["totals"] is None:
        return facts
    totals = Totals(period, declared)
    if totals_ready(conn, generation):
        rows = conn.execute(statements["totals"], values).all()
        # read after the totals: a batch committed in between shows here (facts and totals share transactions)
        if int(conn.execute(statements["last"], values).scalar() or 0) <= upto:
            for row in rows:
                totals.add_row(*row)
            for fact in earlier_cited:
                totals.add(fact, -1)
            return totals.facts() + facts
    if statements["sums"] is not None:
        for account, month, debit, credit, lines in conn.execute(statements["sums"], values).all():
            totals.add_row("journal", account, "", month, int(debit), int(credit), int(lines))
    if statements["members"] is not None:
        for fact in _facts(conn.execute(statements["members"], values).all()):
            totals.add(fact)
    return totals.facts() + facts


def selection_statements(generation: int, org_id: str, upto: int, view: str, period: Period,
                         cited: Sequence[str] = (), declared: Iterable[str] = ()) -> dict[str, Any]:
    """The statements of ``read_selection``, with their values: "facts"; then, given the vouchers cited and
    the distributions declared in the period, "cited", and for the summed kinds "totals" with "last" (the
    CO's last position in the read model), or "sums" and "members" (None: none)."""
    cited, declared = sorted(cited), sorted(declared)
    values = _selection_values(org_id, upto, period, cited, declared)
    return {name: None if statement is None else statement.params(values)
            for name, statement in _selection_templates(generation, view, bool(cited), bool(declared)).items()}


def _selection_values(org_id: str, upto: int, period: Period, cited: Sequence[str],
                      declared: Sequence[str]) -> dict[str, Any]:
    """The values of ``_selection_templates``' parameters."""
    start = period.start.isoformat()
    return {"org_id": org_id, "upto": upto, "start": start, "end": period.end.isoformat(),
            "before_month": month_of(start), "cited": list(cited), "declared": list(declared)}


@lru_cache(maxsize=256)
def _selection_templates(generation: int, view: str, cited_any: bool, declared_any: bool) -> dict[str, Any]:
    """``selection_statements`` with parameters for the values (``_selection_values``), made once per
    generation, view and shape: building the statements cost more than running them (about 2.7 ms a view)."""
    reads, summed = READS[view], summed_kinds(view)
    c = facts_table(generation).c
    org_id, upto = bindparam("org_id"), bindparam("upto")
    start, end = bindparam("start"), bindparam("end")
    cited = bindparam("cited", expanding=True)
    columns = [c[name] for name in _FACT_COLUMNS]
    mine = (c.org_id == org_id, c.position <= upto)
    others = (*mine, c.type.not_in(ORG_TYPES))
    kinds = () if reads.kinds is None else (c.kind.in_(sorted(reads.kinds)),)
    if reads.earlier is not None:
        earlier = {k for k in reads.earlier if reads.reads(k)}
    else:
        earlier = set(reads.kinds - {"journal"}) if reads.kinds else None
    if earlier is None:
        earlier_kinds = c.kind.not_in(sorted({"journal"} | summed))
    else:
        earlier_kinds = c.kind.in_(sorted(earlier - summed))
    facts = union_all(
        # type in ORG_TYPES, said through the kind so that the (org, kind, ...) index finds them: such a
        # fact is the event's own (kind = type) or one of its flags
        select(*columns).where(*mine, or_(c.kind.in_(ORG_TYPES), and_(c.kind == "flag", c.type.in_(ORG_TYPES)))),
        select(*columns).where(*others, c.effective_date >= start, c.effective_date <= end, *kinds),
        select(*columns).where(*others, c.effective_date < start, earlier_kinds),
        # findings concern the period they name, whenever recorded (views.FINDING_KINDS)
        select(*columns).where(*others, c.effective_date > end, c.kind.in_(FINDING_KINDS), *kinds),
    ).order_by("position", "seq")
    none = {"facts": facts, "cited": None, "totals": None, "last": None, "sums": None, "members": None}
    if not summed:
        return none
    journal = (*others, c.kind == "journal", c.effective_date < start)
    t = totals_table(generation).c
    table_kinds = sorted({"journal": "journal", "SharesAllotted": "shares", "DividendPaid": "paid"}[k]
                         for k in summed if k != "SharesTransferred")
    rows = [t.kind.in_(table_kinds)]
    if "DividendPaid" in summed and declared_any:
        rows.append(and_(t.kind == "paid_member", t.key.in_(bindparam("declared", expanding=True))))
    month = func.substr(c.effective_date, 1, 7)
    members = sorted(summed - {"journal"})
    return {
        **none,
        "cited": select(*columns).where(*journal, c.entity_id.in_(cited)) if cited_any and "journal" in summed
        else None,
        "totals": select(t.kind, t.key, t.member, t.month, t.debit, t.credit, t.lines)
        .where(t.org_id == org_id, or_(*rows), t.month < bindparam("before_month")),
        "last": select(func.max(c.position)).where(c.org_id == org_id),
        "sums": select(c.account, month, func.sum(c.debit), func.sum(c.credit), func.count())
        .where(*journal, *((c.entity_id.not_in(cited),) if cited_any else ())).group_by(c.account, month)
        if "journal" in summed else None,
        "members": select(*columns).where(*others, c.effective_date < start, c.kind.in_(members))
        .order_by(c.position, c.seq) if members else None,
    }


def _facts(rows: Sequence[Any]) -> list[Fact]:
    """Facts from rows in _FACT_COLUMNS order; the attributes' JSON texts parsed as one array (one call
    instead of one per row: 2 ms instead of 7 for the 6,000 facts of a yearly view)."""
    attrs = json.loads("[" + ",".join(row[-1] for row in rows) + "]")
    return [_fact((*row[:-1], parsed)) for row, parsed in zip(rows, attrs)]


_FACT_COLUMNS = ("position", "seq", "kind", "type", "entity_id", "effective_date", "recorded_at", "account", "debit",
                 "credit", "attrs")
"""Fact's fields, in order, as columns of a facts table."""


def _fact(values: tuple[Any, ...]) -> Fact:
    """A Fact from its field values in _FACT_COLUMNS order (what Fact(**fields) makes, without the keyword call)."""
    fact = object.__new__(Fact)
    fact.__dict__.update(zip(_FACT_COLUMNS, values))
    return fact


def _values(fact: Fact, org_id: str) -> tuple[Any, ...]:
    """A fact as a row of COLUMNS."""
    return (fact.position, fact.seq, org_id, fact.kind, fact.type, fact.entity_id, fact.effective_date,
            fact.recorded_at, fact.account, fact.debit, fact.credit, fact.attrs_json())


def _row(fact: Fact, org_id: str) -> dict[str, Any]:
    return {"position": fact.position, "seq": fact.seq, "org_id": org_id, "kind": fact.kind, "type": fact.type,
            "entity_id": fact.entity_id, "effective_date": fact.effective_date, "recorded_at": fact.recorded_at,
            "account": fact.account, "debit": fact.debit, "credit": fact.credit, "attrs": fact.attrs_json()}
