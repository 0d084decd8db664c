"""The audit views: pure functions of (CO, period, facts) to canonical-JSON-ready dicts.

``facts`` are all the facts of one CO known at a log position and effective by the period end,
in log order. The answer holds only dicts with str keys, lists, str, int, bool and None: money
in integer fen (``*_fen``) under rules v1, yuan strings under v2 (``rules``, ``yuan``), dates as ISO strings, rates as fixed-decimal strings; every list in a
deterministic order; every age, expiry and rate relative to the period end. No clock, no I/O.
"""
from __future__ import annotations

from typing import Any, Callable, Literal, Sequence

from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.common import FINDING_KINDS
from projections.views.monthly import render_monthly
from projections.views.quarterly import render_quarterly
from projections.views.rules import LEGACY, RULES, Rules
from projections.views.yearly import render_yearly
from projections.views.yuan import yuan_strings

View = Literal["monthly", "quarterly", "yearly"]

RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any], Period, Sequence[Fact], Rules], dict[str, Any]]]] = {
    "monthly": ("month", render_monthly),
    "quarterly": ("quarter", render_quarterly),
    "yearly": ("year", render_yearly),
}
"""View -> (the period kind it audits, its renderer)."""


def render(view: View, org: dict[str, Any], period: Period, facts: Sequence[Fact],
           rules: Rules = RULES[LEGACY]) -> dict[str, Any]:
    """The ``view`` of ``period`` for the CO ``org`` from its facts, under ``rules`` (v1 unless asked).

    Under rules v2 every ``*_fen`` amount is written as yuan (``yuan.yuan_strings``) and the view
    names its rules version (``rules_version``); a v1 view is the bytes v1 always gave.

    Facts are put in log order (position, seq) and those effective after the period end are
    left out (under rules v2, findings and their rectifications aside: they concern the period
    they name, whenever recorded), so a caller's prefix filtered or not gives the same answer. A view audits its own
    kind of period: monthly a month, quarterly a quarter, yearly a year (ValueError otherwise).
    """
    if view not in RENDERERS:
        raise ValueError(f"no audit view {view!r}; views are monthly, quarterly, yearly")
    kind, renderer = RENDERERS[view]
    if period.kind != kind:
        raise ValueError(f"the {view} view audits a {kind}; got the {period.kind} {period}")
    end = period.end.isoformat()
    late_findings = rules.books_2023  # v2: a finding is its period's whenever recorded; v1 bytes stay as they were
    in_log_order = sorted((f for f in facts if f.effective_date <= end or (late_findings and f.kind in FINDING_KINDS)),
                          key=lambda f: (f.position, f.seq))
    rendered = renderer(org, period, in_log_order, rules)
    if rules.books_2023:
        return {**yuan_strings(rendered), "rules_version": rules.version}
    return rendered


__all__ = ["render", "View", "RENDERERS"]
