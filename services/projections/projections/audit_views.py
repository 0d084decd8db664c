"""Audit views as asked over HTTP: (CO, period, known at) -> canonical view, its hash, its source.

The answer is a pure function of the CO's log prefix: ``answer(org, period, facts)`` below is
the one place it is computed, whether the facts come from the read model or from a replay of
the stored events. ``known_at`` is normalised to the CO's last event at or before the asked
position, so asking at any position between two events of the CO gives the same bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from ledger.adapters.sql.reads import Reader
from ledger.domain.errors import RuleViolation
from ledger.domain.periods import Period, PeriodFormatError
from ledger.log.canonical import canonical_sha256
from ledger.log.record import Record
from ledger.runtime import cyclic_gc_paused
from projections.facts import Fact, facts_of_records
from projections.selection import ORG_TYPES, select_facts
from projections.store import read_model as store
from projections.views.common import journal, turnover
from projections.views.rules import LEGACY, Rules, rules_of

PROJECTION_VERSION = 1
"""Bumped whenever a view's content or shape changes; part of every hashed answer."""

ViewKind = Literal["monthly", "quarterly", "yearly"]
VIEW_OF_PERIOD: dict[str, ViewKind] = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


@dataclass(frozen=True)
class Answer:
    """A view as answered: its canonical bytes' hash, and where its facts came from."""

    body: dict[str, Any]
    sha256: str
    source: Literal["read-model", "replay"]
    rules_version: int = LEGACY
    read_model: dict[str, Any] | None = None
    """How far the read model was behind the log when asked (positions, seconds); not part of the hashed view."""

    def to_json(self) -> dict[str, Any]:
        return {"view": self.body, "sha256": self.sha256, "source": self.source, "rules_version": self.rules_version,
                "read_model": self.read_model}


def org_of(facts: list[Fact], org_id: str) -> dict[str, Any]:
    """The CO's settings as the log prefix knows them (registration, then policy and cut-off changes)."""
    org: dict[str, Any] = {"org_id": org_id}
    for fact in facts:
        if fact.type in ORG_TYPES:
            org.update({k: v for k, v in fact.attrs.items()})
    return org


def answer(org_id: str, period: Period, known_at: dict[str, Any], facts: list[Fact],
           rules: Rules | None = None, selected: bool = False) -> tuple[dict[str, Any], str]:
    """THE function: the view of (CO, period, log prefix) under ``rules`` (the current ones when None) and
    the SHA-256 of its canonical JSON.

    ``facts``: all the CO's facts of the prefix, or their selection for this view and period
    (``selection.select_facts``, which is idempotent): the view reads the selection either way.
    ``selected``: ``facts`` are already that selection (the read model's), so it is not made again
    (a tenth of a yearly view's time at scale 0.25).
    """
    from projections.views import render  # the pure view functions

    kind = VIEW_OF_PERIOD[period.kind]
    chosen = facts if selected else select_facts(kind, period, facts)
    org = org_of(chosen, org_id)
    view = render(kind, org, period, chosen, rules or rules_of(None))
    body = {**view, "known_at": known_at, "projection_version": PROJECTION_VERSION}
    return body, canonical_sha256(body)


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodFormatError as exc:
        raise RuleViolation("period-format", str(exc), period=text) from None


class AuditViews:
    """Answers view questions from the read model when it has caught up, by replay otherwise."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.engine = reader.engine

    def resolve_known_at(self, known_at: str | None) -> int:
        """A global log position from '', a position ('1234') or a time (ISO 8601 with zone)."""
        last = self.reader.last_position()
        if not known_at:
            return last
        if re.fullmatch(r"[0-9]{1,18}", known_at):
            return min(int(known_at), last)
        later = self.reader.first_position_after(_parse_time(known_at))
        return last if later is None else later - 1

    def co_prefix(self, org_id: str, position: int) -> dict[str, Any]:
        """The CO's last event at or before ``position``: its position, the CO's tree size, its time.

        One index probe: the CO's leaves are numbered in log order, so the tree size at its last
        event is that event's leaf index + 1.
        """
        row = self.reader.last_entry_at(org_id, position)
        if row is None:
            return {"position": 0, "tree_size": 0, "recorded_at": None}
        return {"position": int(row["position"]), "tree_size": int(row["leaf_index"]) + 1,
                "recorded_at": _iso(row["recorded_at"])}

    def view(self, org_id: str, period: Period, position: int, rules: int | None = None) -> Answer:
        """The view as known at ``position`` under rules ``rules`` (the current ones when None)."""
        known_at, chosen = self.co_prefix(org_id, position), rules_of(rules)
        with cyclic_gc_paused():
            facts, source, behind = self._facts_and_lag(org_id, known_at["position"], period)
            body, digest = answer(org_id, period, known_at, facts, chosen, selected=source == "read-model")
        return Answer(body, digest, source, chosen.version, _lag_of(behind))

    def lag(self) -> dict[str, Any]:
        """The read model's distance behind the log (``store.lag``)."""
        with self.engine.connect() as conn:
            return _lag_of(store.lag(conn))

    def months(self, org_id: str, year: int, position: int) -> list[dict[str, Any]]:
        """Each month's income and expense totals (fen) of ``year`` as known at ``position`` under the
        current rules: the monthly views' ``income_expense.totals``, read from the year's facts at once."""
        from projections.views.monthly import months_income_expense  # the pure function

        known_at = self.co_prefix(org_id, position)
        with cyclic_gc_paused():
            facts, _ = self.facts(org_id, known_at["position"], Period(year, "year"))
            return months_income_expense(facts, year, rules_of(None))

    def as_closed(self, org_id: str, period: Period, closing: Record, now: Answer) -> dict[str, Any]:
        """The closed view served under the rules it was closed with, and why the view as known now differs.

        ``differs_because``: ``rules`` when the close's rules version is not the current answer's,
        ``late-events`` when events known since the close change the view under the close's rules
        (beside ``known_at``, which moves with every event of the CO, the closing's own included).
        """
        data = closing.data
        version = int(data.get("rules_version") or LEGACY)
        closed = self.view(org_id, period, data["known_at_position"], version)
        reasons = []
        if version != now.rules_version:
            reasons.append("rules")
        same_rules_now = now if version == now.rules_version else self.view(
            org_id, period, int(now.body["known_at"]["position"]), version)
        if _without_known_at(same_rules_now.body) != _without_known_at(closed.body):
            reasons.append("late-events")
        return {"as_closed": closed.to_json(), "rules_version": version,
                "reproduced": closed.sha256 == data["view_sha256"], "differs_because": reasons}

    def facts(self, org_id: str, upto: int, period: Period
              ) -> tuple[list[Fact], Literal["read-model", "replay"]]:
        """The CO's facts known at ``upto`` as ``answer`` reads them for ``period``'s view.

        From the read model: their selection (``selection``), made by SQL. By replay: all of them.
        """
        facts, source, _ = self._facts_and_lag(org_id, upto, period)
        return facts, source

    def _facts_and_lag(self, org_id: str, upto: int, period: Period
                       ) -> tuple[list[Fact], Literal["read-model", "replay"], dict[str, Any]]:
        """``facts``, and the read model's state it was decided on (``store.lag``: read once, one statement)."""
        with self.engine.connect() as conn:
            behind = store.lag(conn)
            generation = behind["generation"]
            if generation is not None and behind["tracked_position"] >= upto:
                return (store.read_selection(conn, generation, org_id, upto, VIEW_OF_PERIOD[period.kind], period),
                        "read-model", behind)
        # a replay reads on a connection of its own: this one is given back first (no request holds two)
        return self.replay(org_id, upto), "replay", behind

    def replay(self, org_id: str, upto: int) -> list[Fact]:
        """The CO's facts straight from the stored events (no read model)."""
        records = [r for r in self.reader.iter_records(org_id) if r.position <= upto]
        return facts_of_records(records)

    def account_book(self, org_id: str, code: str, first: str, last: str, position: int,
                     rules: int | None = None) -> Answer:
        """The per-account ledger (明细账) as known at ``position``, hashed like the views (from a replay)."""
        from projections.views.account_book import account_book  # the pure function

        known_at, chosen = self.co_prefix(org_id, position), rules_of(rules)
        with cyclic_gc_paused():
            facts = self.replay(org_id, known_at["position"])
            body = {**account_book(org_of(facts, org_id), code, first, last, facts, chosen), "known_at": known_at}
        return Answer(body, canonical_sha256(body), "replay", chosen.version)

    def balances(self, org_id: str, day: str) -> tuple[dict[str, tuple[int, int]], int]:
        """(debit, credit) per account of the CO's postings dated up to ``day``, as known now, under the
        current rules; and their version (what the closing command computes from)."""
        rules = rules_of(None)
        postings = journal(self.replay(org_id, self.reader.last_position()), rules.red_ink)
        return turnover(postings, None, day), rules.version

    def closing(self, org_id: str, period: Period) -> Record | None:
        """The PeriodClosed record of a closed period, or None."""
        position = self.reader.closing_position(org_id, str(period))
        if position is None:
            return None
        return self.reader.records(org_ids=[org_id], after=int(position) - 1, limit=1)[0]

    def adjustments(self, org_id: str, period: Period, after: int) -> list[dict[str, Any]]:
        """Events after the closing that say they adjust this period."""
        return [
            {"position": r.position, "type": r.type, "entity_id": r.entity_id,
             "effective_date": r.effective_date, "adjusts": r.data["adjusts"]}
            for r in self.reader.iter_records(org_id)
            if r.position > after and (r.data.get("adjusts") or {}).get("period") == str(period)
        ]


def _lag_of(behind: dict[str, Any]) -> dict[str, Any]:
    return {"behind_positions": behind["positions"], "behind_seconds": behind["seconds"],
            "tracked_position": behind["tracked_position"]}


def _without_known_at(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "known_at"}


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise RuleViolation("known-at-format", "known_at is a log position (e.g. 1234) or a time with its zone "
                            f"(e.g. 2025-04-01T00:00:00Z); got {text!r}", known_at=text)
    return moment.astimezone(timezone.utc)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)  # SQLite: naive UTC
        return aware.astimezone(timezone.utc).isoformat()
    return str(value)
