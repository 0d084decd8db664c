"""Where the time goes: cProfile of each measured path, in process, for BENCHMARKS.md.

Profiles run after the timed runs (cProfile slows what it watches), on the same databases: the
append scratch database for appends and the rebuild, the dataset for views and proofs.
"""
from __future__ import annotations

import cProfile
import dataclasses
import io
import pstats
import random
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import event

from tests.bench.bench_support import RESULTS, url_of

TOP = 18


def _top(profile: cProfile.Profile, sort: str, limit: int = TOP) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = out.getvalue()
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()


def _profiled(fn: Callable[[], Any]) -> tuple[cProfile.Profile, float, Any]:
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    try:
        result = fn()
    finally:
        profile.disable()
    return profile, time.perf_counter() - started, result


def _appender(database: str) -> Any:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.append_store import SqlAppendStore
    from ledger.adapters.sql.event_store import open_event_store
    from ledger.application.append import Appender
    from ledger.domain.catalog import load_catalog
    from ledger.log.keys import load_or_create_signer

    load_catalog()
    ledger = open_event_store(url_of(database))
    return Appender(SqlAppendStore(ledger), load_or_create_signer(RESULTS / "ledger-log.key", "audit-ledger.local"),
                    "audit-ledger.local")


def _fresh_co(appender: Any, org_id: str) -> list[Any]:
    from ledger.seed import plan_county
    from ledger.seed.founding import registration
    from ledger.seed.generate import chronicle_of

    co = dataclasses.replace(plan_county(1.0, 77).cos[0], org_id=org_id)
    appender.append(co.org_id, "admin:bench", [registration(co)], author="admin")
    return chronicle_of(co).requests()


def append_profiles(database: str) -> dict[str, Any]:
    """Batches of 100 and single events through Appender.append (what the API calls), with statement counts."""
    from ledger.adapters.sql.event_store import engine_of

    appender = _appender(database)
    engine = engine_of(appender.store.store)
    statements: list[tuple[float, str]] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append((time.perf_counter(), " ".join(statement.split())[:90]))

    batch_requests = _fresh_co(appender, "PB-001")[:3000]
    profile, seconds, _ = _profiled(lambda: [appender.append("PB-001", "cooperative:bench", batch_requests[i:i + 100])
                                             for i in range(0, len(batch_requests), 100)])
    batches = {"events": len(batch_requests), "seconds": seconds, "top_tottime": _top(profile, "tottime"),
               "top_cumulative": _top(profile, "cumulative")}
    single_requests = _fresh_co(appender, "PS-001")[:300]
    profile, seconds, _ = _profiled(lambda: [appender.append("PS-001", "cooperative:bench", [r], f"k{i}", "h")
                                             for i, r in enumerate(single_requests)])
    timed = _fresh_co(appender, "PS-002")[:2]
    appender.append("PS-002", "cooperative:bench", timed[:1], "k-first", "h")
    event.listen(engine, "before_cursor_execute", before)
    started = time.perf_counter()
    appender.append("PS-002", "cooperative:bench", timed[1:], "k-second", "h")
    ended = time.perf_counter()
    event.remove(engine, "before_cursor_execute", before)
    timeline = [f"{(ts - started) * 1000:6.2f} ms  {text}" for ts, text in statements]
    timeline.append(f"{(ended - started) * 1000:6.2f} ms  (committed)")
    single = {"events": len(single_requests), "seconds": seconds, "top_tottime": _top(profile, "tottime"),
              "timeline": "\n".join(timeline)}
    engine.dispose()
    return {"batches": batches, "single": single}


def rebuild_profile(database: str, positions: int = 50_000) -> dict[str, Any]:
    """Projector.rebuild on the append scratch database under cProfile (Python only waits: the facts are made
    by PostgreSQL), and the plan of the set-based statement over the first ``positions`` positions."""
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import (
        engine_of,
        events_table,
        open_event_store,
    )
    from ledger.adapters.sql.tables import entries
    from projections.projector import Projector
    from projections.store import setbased

    ledger = open_event_store(url_of(database))
    projector = Projector(ledger, page=10_000)
    profile, seconds, events = _profiled(projector.rebuild)
    engine = engine_of(ledger)
    with engine.connect() as conn:  # EXPLAIN ANALYZE inserts: into a temporary table, rolled back
        conn.exec_driver_sql("CREATE TEMPORARY TABLE plan_facts (position bigint, seq int, org_id text, kind text, "
                             "type text, entity_id text, effective_date text, recorded_at text, account text, "
                             "debit bigint, credit bigint, attrs text)")
        sql = setbased.FACTS_SQL.format(table="plan_facts", plain=setbased._PLAIN, events_sql=setbased._EVENTS.format(
            events=events_table(ledger).name, entries=entries.name))
        cursor = conn.connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, {"after": 0, "upto": positions})
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.close()
        conn.rollback()
    engine.dispose()
    return {"events": events, "seconds": seconds, "top_tottime": _top(profile, "tottime", 8),
            "plan_positions": positions, "plan": plan}


def view_profile(database: str, samples: int = 30) -> dict[str, Any]:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.adapters.sql.reads import Reader
    from ledger.domain.periods import Period
    from projections.audit_views import AuditViews
    from tests.bench.bench_views import KINDS

    ledger = open_event_store(url_of(database))
    views = AuditViews(Reader(ledger))
    orgs = [o["org_id"] for o in views.reader.organizations()]
    rng = random.Random(66)
    questions = [(rng.choice(orgs), Period.parse(rng.choice(KINDS[kind]))) for kind in KINDS for _ in range(samples // 3)]
    profile, seconds, _ = _profiled(lambda: [views.view(o, p, views.resolve_known_at(None)) for o, p in questions])
    engine_of(ledger).dispose()
    return {"views": len(questions), "seconds": seconds, "top_tottime": _top(profile, "tottime"),
            "top_cumulative": _top(profile, "cumulative", 25)}


def proof_profile(database: str, samples: int = 100) -> dict[str, Any]:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.adapters.sql.proofs import LogProofs
    from ledger.adapters.sql.reads import Reader

    ledger = open_event_store(url_of(database))
    proofs = LogProofs(Reader(ledger))
    rng = random.Random(55)
    heads = {o["org_id"]: proofs.head(o["org_id"]).size for o in proofs.reader.organizations()}
    asked = []
    for _ in range(samples):
        org_id = rng.choice(sorted(heads))
        leaf = rng.randrange(heads[org_id])
        asked.append((org_id, leaf, rng.randint(leaf + 1, heads[org_id])))
    profile, seconds, _ = _profiled(lambda: [proofs.inclusion(*a) for a in asked])
    engine_of(ledger).dispose()
    return {"proofs": samples, "seconds": seconds, "top_cumulative": _top(profile, "cumulative", 22)}


def save(profiles: dict[str, Any]) -> Path:
    path = RESULTS / "profiles.txt"
    with open(path, "w", encoding="utf-8") as out:
        for name, body in profiles.items():
            text = "\n\n".join(f"--- {k}\n{v}" for k, v in body.items()) if isinstance(body, dict) else str(body)
            out.write(f"===== {name}\n{text}\n\n")
    return path
