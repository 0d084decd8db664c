"""A finding belongs to the period it concerns, whenever it was recorded (issue 13).

A finding about 2024-Q2 recorded in March 2025 used to show in the 2025 year view (its effective
date) and not in 2024's. Under rules v2 the year view lists the findings that concern the year,
known at the view's log position, whatever their recorded date, and the selection the read model
makes keeps them; a v1 view gives the bytes v1 always gave.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.periods import Period
from projections.facts import facts_of_records
from projections.selection import select_facts
from projections.views import render
from projections.views.rules import CURRENT, LEGACY, RULES
from tests.unit.test_views_support import ORG, Log


def late_finding_log() -> Log:
    log = Log()
    log.org()
    log.add("FindingRecorded", "F-24Q2", "2025-03-10", {"period": "2024-Q2", "title": "租金逾期未催收",
                                                        "detail": "HT-1 欠租"})
    log.add("FindingRecorded", "F-25", "2025-04-02", {"period": "2025-Q1", "title": "凭证缺附件", "detail": "V1"})
    return log


def year(log: Log, text: str, version: int = CURRENT) -> dict[str, Any]:
    return render("yearly", ORG, Period.parse(text), log.facts(None), RULES[version])


def test_a_finding_about_2024_recorded_in_2025_shows_in_the_2024_view_only() -> None:
    log = late_finding_log()
    assert [f["finding_id"] for f in year(log, "2024")["open_findings"]] == ["F-24Q2"]
    assert [f["finding_id"] for f in year(log, "2025")["open_findings"]] == ["F-25"]


def test_its_rectification_recorded_later_still_closes_it_in_its_period() -> None:
    log = late_finding_log()
    log.add("FindingRectified", "F-24Q2", "2025-06-01", {"rectification": "已催收"})
    assert year(log, "2024")["open_findings"] == []


def test_rules_v1_views_keep_their_bytes() -> None:
    log = late_finding_log()
    assert year(log, "2024", LEGACY)["open_findings"] == []
    assert [f["finding_id"] for f in year(log, "2025", LEGACY)["open_findings"]] == ["F-24Q2", "F-25"]


def test_the_selection_keeps_findings_recorded_after_the_period() -> None:
    facts = facts_of_records(late_finding_log().records)
    period = Period.parse("2024")
    for version in (LEGACY, CURRENT):
        rules = RULES[version]
        assert render("yearly", ORG, period, select_facts("yearly", period, facts), rules) == \
            render("yearly", ORG, period, facts, rules)
