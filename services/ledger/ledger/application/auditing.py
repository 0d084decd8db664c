"""The auditor's commands: close a period, record a finding, record its rectification.

Closing stores, as an ordinary event (``PeriodClosed``), the view's hash at the CO's current log
position and the CO log's latest signed checkpoint; from then on events dated inside the period
are refused (``refuse_if_closed``). The rules of closing live here, not in the route.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from ledger.application.append import Appender
from ledger.application.decide import EventRequest
from ledger.domain.audit import disclosure_entity_id, period_entity_id
from ledger.domain.errors import Conflict, RuleViolation
from ledger.domain.periods import Period


class ViewAnswer(Protocol):
    body: dict[str, Any]
    sha256: str
    rules_version: int


class PeriodViews(Protocol):
    """What closing needs of the audit views (``projections.audit_views.AuditViews``)."""

    def view(self, org_id: str, period: Period, position: int) -> ViewAnswer: ...

    def closing(self, org_id: str, period: Period) -> object | None: ...


class LogHeads(Protocol):
    """Where a CO's log stands, and the position of its last event (``adapters.sql.reads.Reader``)."""

    def log_position(self, org_id: str) -> tuple[int, int, str | None]:
        """(tree size, position of the CO's last event, latest checkpoint)."""


@dataclass(frozen=True)
class Closed:
    """What a close stored (the PeriodClosed data), its day and the append receipt."""

    data: dict[str, Any]
    closed_on: date
    receipt: dict[str, Any]


def sealed_view(views: PeriodViews, logs: LogHeads, org_id: str, period: Period, view_name: str) -> dict[str, Any]:
    """The view of ``period`` at the CO's current position: that position, the tree size, the hash, the checkpoint."""
    tree_size, position, checkpoint = logs.log_position(org_id)
    answer = views.view(org_id, period, position)
    return {"period": str(period), "view": view_name, "known_at_position": answer.body["known_at"]["position"],
            "tree_size": tree_size, "view_sha256": answer.sha256, "checkpoint": checkpoint or "",
            "rules_version": answer.rules_version}


def close_period(appender: Appender, views: PeriodViews, logs: LogHeads, org_id: str, actor: str,
                 period: Period, view_name: str, closed_on: date) -> Closed:
    """Close ``period``: refused before its end and when already closed; stores the view's hash and checkpoint."""
    if closed_on <= period.end:
        raise RuleViolation("period-not-ended", f"{period} ends {period.end}; it can be closed from the next day, "
                            f"not on {closed_on}", period=str(period), closed_on=closed_on.isoformat())
    if views.closing(org_id, period) is not None:
        raise Conflict("period-closed-already", f"{org_id} already closed {period}", period=str(period))
    data = sealed_view(views, logs, org_id, period, view_name)
    outcome = appender.append(org_id, actor, [EventRequest("PeriodClosed", period_entity_id(str(period)), closed_on,
                                                           data)], author="auditor")
    return Closed(data, closed_on, outcome.body)


def publish_statements(appender: Appender, views: PeriodViews, logs: LogHeads, org_id: str, actor: str,
                       period: Period, view_name: str, published_on: date) -> dict[str, Any]:
    """Publish ``period``'s statements (公开): the view at the CO's current position, its hash and checkpoint.

    Refused before the period ends, and when already published (``creates``: the entity exists)."""
    if published_on <= period.end:
        raise RuleViolation("period-not-ended", f"{period} ends {period.end}; its statements can be published from "
                            f"the next day, not on {published_on}", period=str(period),
                            published_on=published_on.isoformat())
    data = sealed_view(views, logs, org_id, period, view_name)
    appender.append(org_id, actor, [EventRequest("StatementsPublished", disclosure_entity_id(str(period)),
                                                 published_on, data)], author="auditor")
    return data


def record_finding(appender: Appender, org_id: str, actor: str, finding_id: str, on: date,
                   data: dict[str, Any]) -> dict[str, Any]:
    """Record an audit finding about a period (``FindingRecorded``); the append receipt."""
    return appender.append(org_id, actor, [EventRequest("FindingRecorded", finding_id, on, data)],
                           author="auditor").body


def record_rectification(appender: Appender, org_id: str, actor: str, finding_id: str, on: date,
                         data: dict[str, Any]) -> dict[str, Any]:
    """Record the CO's rectification of a finding (``FindingRectified``); the append receipt."""
    return appender.append(org_id, actor, [EventRequest("FindingRectified", finding_id, on, data)],
                           author="auditor").body
