"""What the pages show, gathered from the audit views and the log: the street dashboard, the
worklist, a CO's calendar and findings, replay differences. No rules and no SQL here: the figures
are the views' (``projections.audit_views``), read through a cache keyed by the CO's log prefix
(a view of a given prefix never changes, so a cached answer is the answer).

The dashboard's and the worklist's per-CO rows are also stored (``projections.store.summaries``),
keyed the same way: ``warm`` computes them for the newest year off the request path (the
``LEDGER_UI_WARM_SECONDS`` poller, after the log moves), so a first visit reads them in one query."""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from threading import Event, Lock, Thread
from typing import Any, Callable

from ledger.application.access import Caller
from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.entrypoints.http.ui.money import field, to_yuan
from ledger.entrypoints.http.ui.session import SessionCodec
from ledger.entrypoints.http.ui.tables import at as _at
from ledger.log.record import Record
from projections.audit_views import PROJECTION_VERSION, Answer
from projections.store import summaries
from projections.views.rules import rules_of
from projections.selection import ORG_TYPES
from projections.views.common import FINDING_KINDS, concerns

Row = dict[str, Any]
CACHE_SIZE = 512
LATE_LIMIT = 200
SUMMARY_VERSION = 2
"""Bumped whenever a dashboard or worklist row's content or shape changes (stored rows of another
version are not read)."""
log = logging.getLogger(__name__)
"""The replay page lists at most this many late events (and says when there are more)."""


class Workbench:
    """The workbench's services: the session codec and a cache of view answers."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.codec = SessionCodec(services.signer.key_string)
        self._cache: OrderedDict[tuple[str, str, int, int | None], Answer] = OrderedDict()
        self._rows: OrderedDict[tuple[str, str, int, int], Any] = OrderedDict()
        """Dashboard and worklist rows of (kind, CO, year, CO prefix): every figure in them comes from the
        CO's own events (views, flags, findings, closings), so its log prefix fixes them."""
        self._lock = Lock()

    # views -----------------------------------------------------------------------------------
    def position(self, known_at: str | None = None) -> int:
        return self.services.views.resolve_known_at(known_at)

    def view(self, org_id: str, period: Period, position: int | None = None, rules: int | None = None) -> Answer:
        """The view of (CO, period) as known at ``position`` (default now) under books rules ``rules``
        (default the current ones), from the cache when seen."""
        views = self.services.views
        asked = views.resolve_known_at(None) if position is None else position
        prefix = views.co_prefix(org_id, asked)["position"]
        key = (org_id, str(period), prefix, rules)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        answer = views.view(org_id, period, asked, rules)
        with self._lock:
            self._cache[key] = answer
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return answer

    def _per_co(self, kind: str, orgs: list[Row], year: int, position: int,
                make: Callable[[Row], Any]) -> list[Any]:
        """``make(org)`` for each CO, from the memory cache, else the stored summaries (one query), else
        computed (and stored) now: each keyed by the CO's log prefix at ``position``."""
        keys = [(org["org_id"], self.services.views.co_prefix(org["org_id"], position)["position"]) for org in orgs]
        values: dict[tuple[str, int], Any] = {}
        with self._lock:
            for org_id, prefix in keys:
                key = (kind, org_id, year, prefix)
                if key in self._rows:
                    self._rows.move_to_end(key)
                    values[(org_id, prefix)] = self._rows[key]
        version = summary_version()
        missing = [k for k in keys if k not in values]
        stored = summaries.read(self.services.engine, kind, year, version, missing)
        for org, key in zip(orgs, keys):
            if key in values:
                continue
            if key in stored:
                values[key] = loads(stored[key])
            else:
                values[key] = make(org)
                summaries.write(self.services.engine, kind, key[0], year, key[1], version, dumps(values[key]))
            self._remember((kind, key[0], year, key[1]), values[key])
        return [values[k] for k in keys]

    def _remember(self, key: tuple[str, str, int, int], value: Any) -> None:
        with self._lock:
            self._rows[key] = value
            while len(self._rows) > 4 * CACHE_SIZE:
                self._rows.popitem(last=False)

    def warm(self, year: int | None = None, street: str | None = None) -> int:
        """Compute and store the dashboard and worklist rows of every CO (of ``street`` if given) for ``year``
        (default the newest year of the log) as the log stands: what a first visit would otherwise compute.
        The number of COs."""
        orgs = [o for o in self.services.reader.organizations() if street is None or o["street"] == street]
        if year is None:
            years = self.years([o["org_id"] for o in orgs])
            if not years:
                return 0
            year = years[0]
        self.dashboard(orgs, year)
        self.worklist(orgs, year)
        for org in orgs:
            self.months(org, year)
        return len(orgs)

    def forget(self) -> None:
        """Drop the memory caches (as a restart does); the stored summaries stay."""
        with self._lock:
            self._cache.clear()
            self._rows.clear()

    def start_warmer(self, poll_seconds: float) -> Event:
        """A daemon thread that warms (``warm``) whenever the log has moved; set the returned event to stop it."""
        stop = Event()

        def loop() -> None:
            seen = -1
            while not stop.is_set():
                try:
                    now = self.position()
                    if now != seen:
                        self.warm()
                        seen = now
                except Exception:  # the pages compute what the warmer could not; say so and retry
                    log.exception("workbench warmer")
                stop.wait(poll_seconds)

        Thread(target=loop, name="workbench-warmer", daemon=True).start()
        return stop

    # scope -----------------------------------------------------------------------------------
    def orgs_of(self, caller: Caller) -> list[Row]:
        """The COs the caller may read: its street's (auditor), its own (cooperative), all (admin)."""
        return [o for o in self.services.reader.organizations() if caller.may_read(o["org_id"], o["street"])]

    def years(self, org_ids: list[str]) -> list[int]:
        """The years from the first to the last effective date of the COs' events (newest first); the CO's
        settings (registration, policy, cut-off) are dated otherwise and left out."""
        span = self.services.reader.effective_span(org_ids, ORG_TYPES) if org_ids else None
        if span is None:
            return []
        return list(range(int(span[1][:4]), int(span[0][:4]) - 1, -1))

    # dashboard -------------------------------------------------------------------------------
    def dashboard(self, orgs: list[Row], year: int) -> list[Row]:
        """One row per CO: assets, income and result of the year, arrears and expiring leases at its end,
        exceptions of the year (flags, and reconciliation differences at its end), open findings, last
        closed period."""
        now = self.position()
        return self._per_co("dashboard", orgs, year, now, lambda org: self._dashboard_row(org, year, now))

    def _dashboard_row(self, org: Row, year: int, now: int) -> Row:
        org_id = org["org_id"]
        yearly = self.view(org_id, Period(year, "year"), now).body
        q4 = self.view(org_id, Period(year, "quarter", 4), now).body
        lines = {line.get("item"): line for line in _at(yearly, "income_statement", "lines") or []}
        closed = self.services.reader.closed_periods(org_id)
        return {
            "org_id": org_id, "name": org["name"], "street": org["street"],
            "assets": total_assets(_at(yearly, "balance_sheet") or {}),
            "income": sum((this_year(line) or Decimal(0) for line in lines.values()
                           if line.get("sign") == "+" and line.get("account")), Decimal(0)),
            "result": this_year(lines.get("current_year_result") or {}),
            "arrears": to_yuan(field(_at(q4, "arrears", "totals") or {}, "arrears")),
            "expiring": len(_at(q4, "lease_roll", "expiring") or []),
            "exceptions": len(self.flags(org_id, year)) + len(_at(yearly, "reconciliations", "exceptions") or []),
            "open_findings": sum(1 for f in self.findings(org_id, upto=now) if f["status"] == "open"),
            "last_closed": max(closed, key=lambda c: (c["end_date"], -len(c["period"])))["period"]
            if closed else None,
        }

    def flags(self, org_id: str, year: int) -> list[Record]:
        """The CO's flagged events effective in ``year``."""
        first, last = f"{year}-01-01", f"{year}-12-31"
        return [r for r in self.services.reader.records(org_ids=[org_id], flagged=True, limit=100_000)
                if first <= r.effective_date <= last]

    # the year page ---------------------------------------------------------------------------
    def months(self, org: Row, year: int, position: int | None = None) -> list[Row]:
        """Income and expense of each month of ``year``: the month views' totals (收支 of 月报, computed at
        once from the year's facts), as known at ``position`` (default now); stored per CO prefix like the
        dashboard's rows."""
        now = self.position() if position is None else position
        return self._per_co("months", [org], year, now, lambda org: self._month_rows(org["org_id"], year, now))[0]

    def _month_rows(self, org_id: str, year: int, now: int) -> list[Row]:
        return [month_totals(Period.parse(m["period"]), {"income_expense": {"totals": m}})
                for m in self.services.views.months(org_id, year, now)]

    # worklist --------------------------------------------------------------------------------
    def worklist(self, orgs: list[Row], year: int) -> list[Row]:
        """What an auditor chases across the COs and the quarters of ``year``: arrears by age, expiring
        leases, flags (major matters without resolution or filing, below-value leases and disposals),
        unbalanced books and the year not closed; each row names its evidence (entity, period)."""
        now = self.position()
        return [row for rows in self._per_co("worklist", orgs, year, now, lambda org: self._work_rows(org, year, now))
                for row in rows]

    def _work_rows(self, org: Row, year: int, now: int) -> list[Row]:
        rows: list[Row] = []
        org_id = org["org_id"]
        for q in range(1, 5):
            period = Period(year, "quarter", q)
            body = self.view(org_id, period, now).body
            for lease in _at(body, "arrears", "leases") or []:
                amount = to_yuan(field(lease, "arrears"))
                if amount:
                    rows.append(_work(org, period, "w_arrears", lease["lease_id"], amount, str(lease.get("lessee")),
                                      when=["oldest_due", lease.get("oldest_due")],
                                      over_180=to_yuan(field(lease, "days_over_180"))))
            for lease in _at(body, "lease_roll", "expiring") or []:
                rows.append(_work(org, period, "w_expiring", lease["lease_id"], to_yuan(field(lease, "annual_rent")),
                                  str(lease.get("lessee")), when=["end", lease.get("ends_on")]))
        for record in self.flags(org_id, year):
            for flag in record.flags:
                rule = str(flag.get("rule", ""))
                kind = "w_major_matter" if rule.startswith("major-matter-") else (
                    "w_below_value" if rule.startswith("below-value") else "w_flag")
                rows.append(_work(org, Period.month_of(_date(record.effective_date)), kind, record.entity_id,
                                  None, f"{rule}: {flag.get('detail', '')}"))
        yearly = self.view(org_id, Period(year, "year"), now).body
        for check in _at(yearly, "reconciliations", "checks") or []:
            difference = to_yuan(field(check, "difference"))
            if difference:
                kind = "w_negative_cash" if str(check.get("check", "")).endswith("-negative") else "w_reconciliation"
                rows.append(_work(org, Period(year, "year"), kind, None, difference,
                                  f"{check.get('name_zh') or check.get('check')}: {to_yuan(field(check, 'books'))} / "
                                  f"{to_yuan(field(check, 'register'))}"))
        sheet = _at(yearly, "balance_sheet") or {}
        if sheet and not sheet.get("balanced_closing", True):
            rows.append(_work(org, Period(year, "year"), "w_unbalanced", None, None, "资产 ≠ 负债 + 所有者权益"))
        if self.services.reader.closing_position(org_id, str(year)) is None:
            rows.append(_work(org, Period(year, "year"), "w_year_open", None, None, str(year)))
        return rows

    # a CO ------------------------------------------------------------------------------------
    def calendar(self, org_id: str) -> list[Row]:
        """Each year of the CO (newest first) with its quarters and months, each open or closed (date, hash)."""
        closed = {c["period"]: c for c in self.services.reader.closed_periods(org_id)}
        records = {c["period"]: self._closing_record(org_id, c["position"]) for c in closed.values()}

        def state(period: Period) -> Row:
            record = records.get(str(period))
            if record is None:
                return {"period": str(period), "closed": False}
            return {"period": str(period), "closed": True, "closed_on": record.effective_date,
                    "view_sha256": record.data.get("view_sha256"), "actor": record.actor}

        years = []
        for year in self.years([org_id]):
            years.append({**state(Period(year, "year")),
                          "quarters": [{**state(Period(year, "quarter", q)),
                                        "months": [state(Period(year, "month", m)) for m in range(3 * q - 2, 3 * q + 1)]}
                                       for q in range(1, 5)]})
        return years

    def _closing_record(self, org_id: str, position: int) -> Record:
        return self.services.reader.records(org_ids=[org_id], after=int(position) - 1, limit=1)[0]

    def findings(self, org_id: str, upto: int | None = None) -> list[Row]:
        """The CO's findings with their status (open, rectified) and the period each concerns."""
        reader = self.services.reader
        recorded = reader.records(org_ids=[org_id], type="FindingRecorded", limit=100_000, upto=upto)
        rectified = {r.entity_id: r for r in reader.records(org_ids=[org_id], type="FindingRectified",
                                                            limit=100_000, upto=upto)}
        rows = []
        for r in recorded:
            done = rectified.get(r.entity_id)
            rows.append({"finding_id": r.entity_id, "period": r.data.get("period"), "title": r.data.get("title"),
                         "detail": r.data.get("detail"), "severity": r.data.get("severity", "medium"),
                         "subject_ids": r.data.get("subject_ids") or [], "recorded_on": r.effective_date,
                         "actor": r.actor, "position": r.position,
                         "status": "rectified" if done else "open",
                         "rectification": done.data.get("rectification") if done else None})
        return rows

    def late_events(self, org_id: str, period: Period, then: int, now: int) -> list[Record]:
        """Events recorded after ``then`` (up to ``now``) effective by the period end, and findings about
        the period whenever dated: what can change its view (the first ``LATE_LIMIT`` + 1 of the former)."""
        reader = self.services.reader
        dated = reader.records(org_ids=[org_id], after=then, upto=now, effective_until=period.end.isoformat(),
                               limit=LATE_LIMIT + 1)
        findings = [r for kind in FINDING_KINDS
                    for r in reader.records(org_ids=[org_id], after=then, upto=now, type=kind, limit=100_000)
                    if r.effective_date > period.end.isoformat() and concerns(self._period_named(org_id, r), period)]
        return sorted(dated + findings, key=lambda r: r.position)

    def _period_named(self, org_id: str, record: Record) -> str | None:
        """The period a finding (or its rectification, through the finding) names."""
        if "period" in record.data:
            return str(record.data["period"])
        found = self.services.reader.records(org_ids=[org_id], type="FindingRecorded", entity_id=record.entity_id,
                                             limit=1)
        return str(found[0].data.get("period")) if found else None


@dataclass(frozen=True)
class Change:
    path: str
    then: Any
    now: Any


def differences(then: Any, now: Any, path: str = "", limit: int = 200) -> list[Change]:
    """The leaves that differ between two views (``known_at`` left out), as dotted paths."""
    out: list[Change] = []
    _diff(then, now, path, out, limit)
    return out


def _diff(a: Any, b: Any, path: str, out: list[Change], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if not path and key == "known_at":
                continue
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else key, out, limit)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(Change(path, _short(a), _short(b)))


def _short(value: Any) -> Any:
    if isinstance(value, list):
        return f"[{len(value)}]"
    if isinstance(value, dict):
        return "{…}"
    return value


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _work(org: Row, period: Period, kind: str, subject: str | None, amount: Decimal | None, detail: str,
          **extra: Any) -> Row:
    return {"org_id": org["org_id"], "org_name": org["name"], "period": str(period), "kind": kind,
            "subject": subject, "amount": amount, "detail": detail, "when": None, **extra}


def month_totals(period: Period, body: Row) -> Row:
    """A month view's income, expense and net (yuan; zero when the month has none)."""
    totals = _at(body, "income_expense", "totals") or {}
    figures = {k: to_yuan(field(totals, k)) for k in ("income", "expense", "net")}
    return {"period": str(period), **{k: Decimal(0) if v is None else v for k, v in figures.items()}}


def summary_version() -> str:
    """The version of a stored row: the views', the current books rules' and the row's own."""
    return f"{PROJECTION_VERSION}.{rules_of(None).version}.{SUMMARY_VERSION}"


def dumps(value: Any) -> str:
    """A row as stored: JSON with its amounts (Decimal) tagged, so ``loads`` gives back equal rows."""
    return json.dumps(value, default=_tag, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_untag)


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    raise TypeError(f"not storable in a page summary: {value!r}")


def _untag(obj: dict[str, Any]) -> Any:
    return Decimal(obj["__decimal__"]) if obj.keys() == {"__decimal__"} else obj


def total_assets(sheet: Row) -> Decimal | None:
    """资产总计 at the end: the 2023 layout's total_assets line, or the assets side's closing figure."""
    if "lines" in sheet:
        line = next((line for line in sheet["lines"] if line.get("item") == "total_assets"), {})
        return to_yuan(field(line, "closing"))
    return to_yuan(field(sheet.get("assets") or {}, "closing"))


def this_year(line: Row) -> Decimal | None:
    """An income-statement line's figure for the year (本年数: ``current`` in the 2023 layout)."""
    return to_yuan(field(line, "current") if field(line, "current") is not None else field(line, "amount"))
