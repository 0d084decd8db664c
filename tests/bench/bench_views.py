"""Measurement 4: audit view latency on the dataset, in process and over HTTP, against a raw read.

A sample is a random CO, a random period of the view's kind (2023-2025: months for the monthly
view, quarters for the quarterly, years for the yearly) and a known-at: "now" (the latest log
position) or "past" (the position of a random event of that CO, so the prefix really is shorter).
In process: ``projections.audit_views.AuditViews.view`` (the read model is active and caught up). Over
HTTP: ``GET /v1/orgs/{org}/audit/{period}[?known_at=]``. Baseline: psycopg2 running the statements
the read model runs for that answer and fetching their rows (no facts made, no view). A few samples are also answered by
replaying the stored events, and their hashes compared with the read model's. The same questions are
asked in process first, then raw, then over HTTP (no overlap between them).
"""
from __future__ import annotations

import json
import random
import time
from typing import Any

import httpx
import psycopg2

from tests.bench.bench_support import (
    Deadline,
    Figure,
    Server,
    admin_headers,
    dsn_of,
    percentile,
    url_of,
)

KINDS = {
    "monthly": [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)],
    "quarterly": [f"{y}-Q{q}" for y in (2023, 2024, 2025) for q in range(1, 5)],
    "yearly": ["2023", "2024", "2025"],
}
MODES = ("now", "past")


class Sampler:
    """Random (CO, period, known-at) questions, the same sequence for the same seed."""

    def __init__(self, database: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.conn = psycopg2.connect(dsn_of(database))
        with self.conn.cursor() as cur:
            cur.execute("SELECT org_id, size FROM ledger_log_heads ORDER BY org_id")
            self.sizes = dict(cur.fetchall())
            cur.execute("SELECT max(position) FROM ledger_entries")
            self.last = int(cur.fetchone()[0])
        self.orgs = sorted(self.sizes)

    def question(self, kind: str, mode: str) -> tuple[str, str, int | None]:
        org_id = self.rng.choice(self.orgs)
        period = self.rng.choice(KINDS[kind])
        if mode == "now":
            return org_id, period, None
        leaf = self.rng.randrange(self.sizes[org_id])
        with self.conn.cursor() as cur:
            cur.execute("SELECT position FROM ledger_entries WHERE org_id = %s AND leaf_index = %s", (org_id, leaf))
            return org_id, period, int(cur.fetchone()[0])

    def raw_read(self, generation: int, org_id: str, period: Any, position: int) -> float:
        """Seconds to run the read model's statements for this answer (``store.selection_statements``) and fetch.

        The same SQL as ``AuditViews``, compiled with its values (before timing), through psycopg2; only the
        reversals' attributes are decoded (the cited vouchers come from them), nothing is made into facts.
        """
        from sqlalchemy.dialects import postgresql

        from projections.audit_views import VIEW_OF_PERIOD
        from projections.store import read_model as store

        def sql(statement: Any) -> str:
            return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))

        view = VIEW_OF_PERIOD[period.kind]
        first = sql(store.selection_statements(generation, org_id, position, view, period)["facts"])
        with self.conn.cursor() as cur:
            # compiled before the clock starts (the read model's statements are cached compiled): a first,
            # untimed pass finds the cited vouchers the later statements name
            cur.execute(first)
            cited = sorted({json.loads(row[-1]).get("reverses", "") for row in cur.fetchall() if row[2] == "reversal"})
            rest = {name: sql(statement) for name, statement in
                    store.selection_statements(generation, org_id, position, view, period, cited).items()
                    if statement is not None and name != "facts"}
            started = time.perf_counter()
            cur.execute(first)
            rows = cur.fetchall()
            sorted({json.loads(row[-1]).get("reverses", "") for row in rows if row[2] == "reversal"})
            if "cited" in rest:
                cur.execute(rest["cited"])
                cur.fetchall()
            if "totals" in rest:  # as read_selection: the totals when known now, else the facts' sums
                cur.execute(rest["totals"])
                cur.fetchall()
                cur.execute(rest["last"])
                if int(cur.fetchone()[0] or 0) > position:
                    for name in ("sums", "members"):
                        if name in rest:
                            cur.execute(rest[name])
                            cur.fetchall()
            return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def measure(database: str, runs: int, log: Any, samples: int = 60, seconds_per_run: float = 90.0,
            checks: int = 4) -> dict[str, Any]:
    import ledger.domain  # noqa: F401
    from ledger.adapters.sql.event_store import engine_of, open_event_store
    from ledger.adapters.sql.reads import Reader
    from ledger.domain.periods import Period
    from projections.audit_views import AuditViews, answer
    from projections.store import read_model as store

    ledger = open_event_store(url_of(database))
    views = AuditViews(Reader(ledger))
    with engine_of(ledger).connect() as conn:
        generation = store.active_generation(conn)
    if generation is None:
        raise RuntimeError("no active read model: run the rebuild measurement first")
    figures: dict[str, Figure] = {}

    def add(name: str, unit: str, value: float) -> None:
        figures.setdefault(name, Figure(name, unit)).add(value)

    checked, identical, facts_read = 0, 0, []
    pairs: dict[str, list[tuple[int, float]]] = {}
    with Server(database) as server, httpx.Client(base_url=server.base, timeout=60.0,
                                                  headers=admin_headers()) as client:
        for run in range(runs):
            sampler = Sampler(database, seed=600 + run)
            for kind in KINDS:
                for mode in MODES:
                    share = seconds_per_run / (len(KINDS) * len(MODES))
                    questions = [sampler.question(kind, mode) for _ in range(samples)]
                    local, remote, raw, answers = [], [], [], []
                    deadline = Deadline(share * 0.45)
                    for org_id, text, position in questions:  # in process, all samples first
                        if deadline.spent():
                            break
                        period = Period.parse(text)
                        started = time.perf_counter()
                        asked = views.resolve_known_at(None if position is None else str(position))
                        got = views.view(org_id, period, asked)
                        local.append(time.perf_counter() - started)
                        answers.append((asked, got))
                        facts_read.append(got.body["known_at"]["tree_size"])
                        pairs.setdefault(kind, []).append((got.body["known_at"]["tree_size"], local[-1] * 1000))
                    questions = questions[:len(local)]
                    for (org_id, text, _), (_, got) in zip(questions, answers):  # raw: the same rows, fetched
                        raw.append(sampler.raw_read(generation, org_id, Period.parse(text),
                                                    got.body["known_at"]["position"]))
                    deadline = Deadline(share * 0.45)
                    for (org_id, text, position), (_, got) in zip(questions, answers):  # over HTTP
                        if deadline.spent():
                            break
                        params = {} if position is None else {"known_at": str(position)}
                        started = time.perf_counter()
                        response = client.get(f"/v1/orgs/{org_id}/audit/{text}", params=params)
                        remote.append(time.perf_counter() - started)
                        response.raise_for_status()
                        if response.json()["as_known"]["sha256"] != got.sha256:
                            raise RuntimeError(f"HTTP and in-process answers differ for {org_id} {text} {position}")
                    phases = _phases(views, questions, answers, Deadline(share * 0.3)) if mode == "now" else {}
                    for name, values in phases.items():  # where the in-process time goes (untimed above)
                        add(f"{kind}_{mode}_{name}_p50_ms", "ms", percentile(values, 50) * 1000)
                    for (org_id, text, _), (asked, got) in list(zip(questions, answers))[:checks if run == 0 else 0]:
                        known = views.co_prefix(org_id, asked)
                        replayed = answer(org_id, Period.parse(text), known, views.replay(org_id, known["position"]))[1]
                        checked, identical = checked + 1, identical + (replayed == got.sha256)
                    for where, values in (("in_process", local), ("http", remote), ("raw_read", raw)):
                        if values:
                            add(f"{kind}_{mode}_{where}_p50_ms", "ms", percentile(values, 50) * 1000)
                            add(f"{kind}_{mode}_{where}_p99_ms", "ms", percentile(values, 99) * 1000)
                    if local:
                        add(f"{kind}_{mode}_samples", "samples", len(local))
                        add(f"{kind}_{mode}_ratio", "x raw", percentile(local, 50) / percentile(raw, 50))
                    log(f"  4. run {run + 1}: {kind:9} {mode:4}: in process p50 {percentile(local, 50) * 1000:6.1f} "
                        f"p99 {percentile(local, 99) * 1000:6.1f} ms | HTTP p50 {percentile(remote, 50) * 1000:6.1f} "
                        f"p99 {percentile(remote, 99) * 1000:6.1f} ms | raw read p50 {percentile(raw, 50) * 1000:5.1f} "
                        f"ms ({len(local)} samples)")
            sampler.close()
    engine_of(ledger).dispose()
    return {"figures": {name: f.to_json() for name, f in figures.items()},
            "replay_checks": {"compared": checked, "identical": identical},
            "co_events_known": {"p50": percentile(facts_read, 50), "max": max(facts_read) if facts_read else None},
            "latency_by_co_events": {kind: _fit(points) for kind, points in pairs.items()}}


def _phases(views: Any, questions: list[tuple[str, str, int | None]], answers: list[tuple[int, Any]],
            deadline: Deadline) -> dict[str, list[float]]:
    """The same questions again (warm, as the HTTP pass left them), each in three parts timed apart, as
    ``AuditViews.view`` makes them: "prefix", the known-at resolved and the CO's last event at it (two
    statements); "selection", the read model's state and rows read and made into facts (``AuditViews.facts``:
    the raw read's statements and their rows, then Python); "compute", the view computed from those facts
    already in memory (``answer``: the view's passes, yuan strings, canonical JSON and its hash), which a view
    costs on top of any read, however fast; "whole", the three together."""
    from ledger.domain.periods import Period
    from ledger.runtime import cyclic_gc_paused
    from projections.audit_views import answer
    from projections.views.rules import rules_of

    parts: dict[str, list[float]] = {"prefix": [], "selection": [], "compute": [], "whole": []}
    for (org_id, text, position), (_, got) in zip(questions, answers):
        if deadline.spent():
            break
        period = Period.parse(text)
        started = time.perf_counter()
        known = views.co_prefix(org_id, views.resolve_known_at(None if position is None else str(position)))
        with cyclic_gc_paused():  # as AuditViews.view
            prefixed = time.perf_counter()
            facts, source = views.facts(org_id, known["position"], period)
            read = time.perf_counter()
            _, digest = answer(org_id, period, known, facts, rules_of(None), selected=source == "read-model")
        done = time.perf_counter()  # after the pause ends, as a view pays it
        if digest != got.sha256:
            raise RuntimeError(f"the view computed in parts differs for {org_id} {text}")
        for name, seconds in (("prefix", prefixed - started), ("selection", read - prefixed),
                              ("compute", done - read), ("whole", done - started)):
            parts[name].append(seconds)
    return parts if parts["whole"] else {}


def _fit(points: list[tuple[int, float]]) -> dict[str, float]:
    """Least squares: in-process milliseconds = intercept + slope x (the CO's events known), over all samples."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return {"samples": n, "intercept_ms": mean_y - slope * mean_x, "ms_per_1000_events": slope * 1000,
            "largest_co_events_seen": max(x for x, _ in points)}
