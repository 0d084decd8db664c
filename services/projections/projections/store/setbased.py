"""The facts of a range of positions made inside PostgreSQL: the rebuild's fast path.

``facts.facts_of`` is the definition; this is the same function written as one set-based
statement over the stored JSON states, so a rebuild does not pull every event through Python.
It makes the same rows as ``facts_of`` (``attrs`` is JSON text that parses to the same value; its
key order and spacing are PostgreSQL's, and nothing reads attrs other than through ``json.loads``
into a dict whose canonical form is what is hashed). Tests compare the two row by row and, through
the views, hash for hash.

Only states of the plain shape go through SQL: JSON whose one transcoded value is the timestamp
(``datetime_iso``) and without ``\\u0000`` (which ``jsonb`` refuses). Anything else in the range is
made by ``facts_of`` in Python, in the same transaction (``irregular_rows``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

_TYPE_MARK = '"_type_"'

_PLAIN = (f"t LIKE '%%{_TYPE_MARK}%%' AND t NOT LIKE '%%{_TYPE_MARK}%%{_TYPE_MARK}%%'"
          " AND strpos(t, '\\u0000') = 0")
"""A state whose text holds one transcoded value (its timestamp, checked below) and no NUL escape
(``%%``: the statement goes through psycopg2's parameter formatting)."""

_EVENTS = """
    SELECT ev.id AS position, ev.originator_id, ev.originator_version, ev.topic AS topic,
           convert_from(ev.state, 'UTF8') AS t
    FROM {events} ev JOIN {entries} en ON en.position = ev.id
    WHERE ev.id > %(after)s AND ev.id <= %(upto)s AND en.position > %(after)s AND en.position <= %(upto)s
    OFFSET 0
"""

FACTS_SQL = """
INSERT INTO {table} (position, seq, org_id, kind, type, entity_id, effective_date, recorded_at, account,
                     debit, credit, attrs)
SELECT e.position, f.seq, e.env->>'org_id', f.kind, e.type, e.env->>'entity_id', e.env->>'effective_date',
       e.recorded_at, f.account, f.debit, f.credit, f.attrs::text
FROM (
    SELECT r.position, r.type, r.state->'envelope' AS env, r.state->'data' AS data,
           r.state->'timestamp'->>'_data_' AS recorded_at,
           CASE WHEN jsonb_typeof(r.state->'envelope'->'flags') = 'array'
                THEN r.state->'envelope'->'flags' ELSE '[]'::jsonb END AS flags
    FROM (SELECT p.position, regexp_replace(p.topic, '^.*[.:]', '') AS type, p.t::jsonb AS state
          FROM ({events_sql}) p WHERE {plain} OFFSET 0) r
    WHERE r.state->'timestamp'->>'_type_' = 'datetime_iso'
    OFFSET 0
) e
CROSS JOIN LATERAL (
    SELECT (l.n - 1)::int AS seq, 'journal'::text AS kind, l.line->>'account' AS account,
           CASE WHEN l.line->>'side' = 'debit' THEN (l.line->>'amount')::bigint ELSE 0 END AS debit,
           CASE WHEN l.line->>'side' = 'credit' THEN (l.line->>'amount')::bigint ELSE 0 END AS credit,
           jsonb_build_object(
               'memo', CASE WHEN jsonb_typeof(l.line->'memo') = 'string' AND l.line->>'memo' <> ''
                            THEN l.line->'memo' ELSE COALESCE(e.data->'description', '""'::jsonb) END,
               'voucher', e.env->'entity_id') AS attrs
    FROM jsonb_array_elements(e.data->'lines') WITH ORDINALITY AS l(line, n)
    WHERE e.type = 'VoucherPosted'
    UNION ALL
    SELECT 0, CASE WHEN e.type = 'VoucherReversed' THEN 'reversal' ELSE e.type END, '', 0, 0, e.data
    WHERE e.type <> 'VoucherPosted'
    UNION ALL
    SELECT (CASE WHEN e.type = 'VoucherPosted' THEN jsonb_array_length(e.data->'lines') ELSE 1 END
            + g.n - 1)::int,
           'flag', '', 0, 0, g.flag || jsonb_build_object('type', e.type)
    FROM jsonb_array_elements(e.flags) WITH ORDINALITY AS g(flag, n)
) f
"""
"""``OFFSET 0`` keeps each subquery from being folded into the next: PostgreSQL would otherwise parse
the state (and match the topic) once per reference instead of once per event."""

IRREGULAR_SQL = """
SELECT p.position, p.originator_id, p.originator_version, p.topic, p.t FROM ({events_sql}) p
WHERE NOT ({plain}) OR p.t::jsonb->'timestamp'->>'_type_' IS DISTINCT FROM 'datetime_iso'
ORDER BY p.position
"""


def insert_facts(conn: Connection, table: str, events: str, entries: str, after: int, upto: int) -> int:
    """Insert the facts of the plain-shaped events with ``after < position <= upto``; return the rows written."""
    events_sql = _EVENTS.format(events=events, entries=entries)
    sql = FACTS_SQL.format(table=table, events_sql=events_sql, plain=_PLAIN)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, {"after": after, "upto": upto})
        return int(cursor.rowcount)
    finally:
        cursor.close()


def irregular_rows(conn: Connection, events: str, entries: str, after: int, upto: int) -> list[tuple[Any, ...]]:
    """(position, originator id, version, topic, state text) of the events in the range that ``insert_facts`` leaves to Python."""
    events_sql = _EVENTS.format(events=events, entries=entries)
    sql = IRREGULAR_SQL.format(events_sql=events_sql, plain=_PLAIN)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, {"after": after, "upto": upto})
        return list(cursor.fetchall())
    finally:
        cursor.close()
