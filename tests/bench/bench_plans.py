"""docs/query-plans.md: EXPLAIN ANALYZE of the queries a view and a proof really run, at the bench's size.

    python -m tests.bench.bench_plans [<dataset database>]

The statements are captured from the code paths themselves (SQLAlchemy's before_cursor_execute
while ``AuditViews.view`` and ``LogProofs`` answer), then explained with their own parameters.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import psycopg2
from sqlalchemy import event

from tests.bench.bench_dataset import DatasetSpec, read_mark
from tests.bench.bench_support import ROOT, dsn_of, url_of

TABLES = ("ledger_entries", "ledger_log_nodes", "ledger_log_heads", "ledger_checkpoints", "ledger_events",
          "proj_active", "proj_tracking")


def _captured(engine: Any, call: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def _explain(cur: Any, statement: str, parameters: Any) -> tuple[str, str]:
    sql = cur.mogrify(statement, parameters).decode()
    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
    return sql, "\n".join(row[0] for row in cur.fetchall())


def main(database: str) -> Path:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.adapters.sql.proofs import LogProofs
    from ledger.adapters.sql.reads import Reader
    from ledger.domain.periods import Period
    from projections.audit_views import AuditViews
    from projections.store import read_model as store

    ledger = open_event_store(url_of(database))
    engine = engine_of(ledger)
    views, proofs = AuditViews(Reader(ledger)), LogProofs(Reader(ledger))
    conn = psycopg2.connect(dsn_of(database))
    cur = conn.cursor()
    cur.execute("SELECT org_id, size FROM ledger_log_heads ORDER BY size DESC LIMIT 1")
    org_id, size = cur.fetchone()
    cur.execute("SELECT position FROM ledger_entries WHERE org_id = %s AND leaf_index = %s", (org_id, size // 2))
    middle = int(cur.fetchone()[0])
    with engine.connect() as c:
        generation = store.active_generation(c)
    cur.execute("SELECT count(*) FROM ledger_entries")
    events = int(cur.fetchone()[0])
    cur.execute(f"SELECT count(*) FROM proj_facts_g{generation}")
    facts = int(cur.fetchone()[0])
    cases = [
        (f"Yearly view 2025 of {org_id} (the largest CO, {size:,} events) as known now",
         lambda: views.view(org_id, Period.parse("2025"), views.resolve_known_at(None))),
        (f"Quarterly view 2025-Q2 of {org_id} as known now",
         lambda: views.view(org_id, Period.parse("2025-Q2"), views.resolve_known_at(None))),
        (f"Monthly view 2024-06 of {org_id} as known at position {middle:,} (half its history)",
         lambda: views.view(org_id, Period.parse("2024-06"), views.resolve_known_at(str(middle)))),
        (f"Inclusion proof of leaf {size // 3:,} in {org_id}'s tree of size {size:,}",
         lambda: proofs.inclusion(org_id, size // 3, size)),
        (f"Consistency proof of {org_id}'s trees of sizes {size // 4:,} and {size:,}",
         lambda: proofs.consistency(org_id, size // 4, size)),
    ]
    lines = ["# Query plans of the audit views and proofs", "",
             f"`EXPLAIN (ANALYZE, BUFFERS)` of every statement a view and a proof run, captured from the code "
             f"(`AuditViews.view`, `LogProofs`) on the benchmark dataset `{database}`: {events:,} events, "
             f"{facts:,} facts in the active read model `proj_facts_g{generation}`, {time.strftime('%Y-%m-%d')}, "
             "PostgreSQL as installed (`shared_buffers` 128 MB). Regenerate with "
             "`.venv/bin/python -m tests.bench.bench_plans` after `make bench`.", "",
             "## The indexes that serve them", ""]
    cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "OR tablename = ANY(%s) ORDER BY tablename, indexname",
                (list(TABLES), [f"proj_facts_g{generation}", f"proj_totals_g{generation}"]))
    lines += ["| table | index | definition |", "| --- | --- | --- |"]
    lines += [f"| {t} | {i} | `{d.split(' USING ')[1] if ' USING ' in d else d}` |" for t, i, d in cur.fetchall()]
    lines += ["", _NOTES.format(g=generation), ""]
    for title, call in cases:
        call()  # warm: the plans below are of a second, cached run, as a busy server sees them
        statements = _captured(engine, call)
        lines += [f"## {title}", "", f"{len(statements)} statements.", ""]
        for number, (statement, parameters) in enumerate(statements, 1):
            sql, plan = _explain(cur, statement, parameters)
            conn.rollback()
            shown = sql if len(sql) < 1500 else sql[:1500] + " ..."
            lines += [f"### {number}.", "", "```sql", shown, "```", "", "```", plan, "```", ""]
    conn.close()
    engine.dispose()
    path = ROOT / "docs" / "query-plans.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


_NOTES = """\
What each query uses:

- Views, the read model (`store.read_selection`; what each view reads is `projections/selection.py`):
  `ix_proj_facts_g{g}_org_kind_effective` (`org_id, kind, effective_date, position`, covering
  `entity_id, account, debit, credit`) finds the CO's settings and, by kind, the earlier facts a view
  carries forward (leases, rents, assets, matters; for the yearly view every kind but journal lines
  and the summed member kinds), the lines of the vouchers a reversal cites, and, for a view known at
  an earlier position, makes the per-month sums of the earlier journal lines from the index alone;
  `ix_proj_facts_g{g}_org_effective` (`org_id, effective_date, position`) serves the facts of the
  period. The primary key (`position, seq`) is log order, applied by a sort of the few rows found.
  `ix_proj_facts_g{g}_org_position` (`org_id, position`) gives the CO's last fact (a view known now
  reads the totals only when no fact of the CO follows its prefix) and is left for reads of a CO's
  whole prefix. `ux_proj_totals_g{g}` (`org_id, kind, key, member, month`, unique) serves a view known
  now: the monthly totals before its period (journal per account, shares per member, dividends per
  distribution, and per member for the distributions declared in the period).
- Views, the known-at position: `ix_entries_org_position` (`org_id, position`) answers the CO's last
  event at or before a position, its leaf index (tree size - 1) and recorded time in one backward
  probe; `ledger_entries_pkey` the global last position.
- Proofs: `ledger_log_heads_pkey` the head, `ix_entries_org_leaf` (`org_id, leaf_index`, unique) the
  leaf with the stored event by `ledger_events_pkey`, `ledger_log_nodes_pkey` (`org_id, level, idx`)
  the complete-subtree nodes, one index probe each, `ledger_checkpoints_pkey` (`org_id, size`) the
  checkpoint signed at the size."""


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else DatasetSpec().name
    if read_mark(name) is None:
        sys.exit(f"{name} is not a complete benchmark dataset: run `make bench` first")
    print(main(name))
