"""A dict-backed fake of the batch context, so domain rules run without a database.

``FakeLedger.append`` runs the application's own decision function (``application.decide``: the
catalogue, the payload contract, the CO and closed-period checks, identity and version,
references, then the handler) against entities kept in a dict, so the fake cannot drift from the
checks production runs. Helpers build a small CO.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

import pytest
from eventsourcing.application import Application

import ledger.domain  # noqa: F401  (the whole catalogue)
from ledger.application.decide import EventRequest, decide
from ledger.domain.catalog import CATALOG
from ledger.domain.entity import Entity
from ledger.domain.errors import Conflict, NotFound, RuleViolation

ORG = "TC-001"
CUTOFF = "2020-12-31"


@dataclass
class Appended:
    """What one append produced: the entity, its new events and the flags raised."""

    entity: Entity
    events: list[Any]
    flags: list[dict[str, Any]]

    @property
    def types(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@dataclass
class FakeLedger:
    """A CO's entities in a dict, the citations between them, and every event appended."""

    org_id: str = ORG
    effective_date: str = ""
    entities: dict[str, Entity] = field(default_factory=dict)
    citations: list[tuple[str, str, str]] = field(default_factory=list)
    """(target id, citing entity's kind, citing entity id)."""
    log: list[Any] = field(default_factory=list)
    closed: list[tuple[str, str, str]] = field(default_factory=list)
    """(period, start, end) of the periods closed (``EventType.registers``: closed_period)."""
    requests: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    """(type, entity id, data, effective date) of each accepted append, to replay through the real appender."""

    def entity(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def citing(self, entity_id: str, kind: str) -> list[Entity]:
        ids = sorted({src for target, k, src in self.citations if target == entity_id and k == kind})
        return [self.entities[i] for i in ids]

    def citing_totals(self, entity_id: str, kind: str, attribute: str, by: str) -> tuple[int, Mapping[str, int]]:
        groups: dict[str, int] = {}
        for cited in self.citing(entity_id, kind):
            groups[getattr(cited, by)] = groups.get(getattr(cited, by), 0) + getattr(cited, attribute)
        return sum(groups.values()), groups

    def prefetch(self, entity_ids: set[str], cited_ids: Any = ()) -> None:
        """Everything is in memory already."""

    def keep(self, entity: Entity) -> None:
        self.entities[entity.entity_id] = entity

    def cite(self, citations: Any) -> None:
        self.citations.extend(citations)

    def organization(self) -> Entity:
        if self.org_id not in self.entities:
            raise NotFound("organization-exists", f"organization {self.org_id} is not registered", org_id=self.org_id)
        return self.entities[self.org_id]

    def refuse_if_closed(self, effective_date: str) -> None:
        for period, start, end in self.closed:
            if start <= effective_date <= end:
                raise Conflict("period-closed", f"{self.org_id} closed period {period}; an event dated "
                               f"{effective_date} cannot go into it", period=period, effective_date=effective_date)

    def append(self, type_name: str, entity_id: str, data: dict[str, Any], on: str = "2025-01-02",
               expected_version: int | None = None) -> Appended:
        """Decide the request as the appender does (``decide``), then keep what it decided."""
        author = CATALOG[type_name].author if type_name in CATALOG else "cooperative"
        request = EventRequest(type_name, entity_id, date.fromisoformat(on), data, expected_version)
        decision = decide(self, "bookkeeper", None, request, author)
        for event in decision.events:
            registers = decision.event_type.registers
            if registers is not None:
                registry, row = registers(event.data)
                if registry == "closed_period":
                    self.closed.append((row["period"], row["start_date"], row["end_date"]))
        self.log.extend(decision.events)
        self.requests.append((type_name, entity_id, data, on))
        flags = decision.events[0].envelope["flags"] if decision.events else []
        return Appended(self.entities[entity_id], decision.events, flags)

    def replayed(self, entity_id: str) -> Entity:
        """The entity rebuilt from its events after a JSON round trip through the event store's mapper."""
        mapper = Application().mapper
        entity = self.entities[entity_id]
        aggregate = None
        for stored in [mapper.to_stored_event(e) for e in self.log if e.originator_id == entity.id]:
            aggregate = mapper.to_domain_event(stored).mutate(aggregate)
        assert aggregate is not None
        return aggregate


# -- a small CO, built through the same appends -------------------------------------------------------

def new_co(mode: str = "reject", threshold: str = "30000.00", codes: list[str] | None = None) -> FakeLedger:
    ledger = FakeLedger()
    ledger.append("OrganizationRegistered", ORG, {
        "name": "郯城县某社区股份经济合作社", "street": "郯城街道", "qualification_cutoff": CUTOFF,
        "policy": {"threshold": threshold, "matter_codes": codes or [], "mode": mode},
    }, on="2020-01-01")
    return ledger


def with_body(ledger: FakeLedger, body: str = "representatives", seats: int = 30, **extra: Any) -> FakeLedger:
    ledger.append("GoverningBodyElected", ORG, {"body": body, "seats": seats, **extra}, on="2021-01-05")
    return ledger


def adopted_resolution(ledger: FakeLedger, resolution_id: str = "R-1", on: str = "2024-12-01",
                       major: bool = True, body: str = "representatives", seats: int = 30) -> str:
    """A meeting of ``body`` with everyone present, and a motion everyone votes for."""
    meeting_id = f"MTG-{resolution_id}"
    ledger.append("MeetingConvened", meeting_id, {"body": body, "present": seats, "seats": seats}, on=on)
    ledger.append("MotionVoted", resolution_id, {"meeting_id": meeting_id, "motion": "关于出租门面房的决议",
                                                 "major": major, "votes_for": seats, "votes_against": 0}, on=on)
    return resolution_id


def filed_matter(ledger: FakeLedger, matter_id: str = "MM-1", resolution_id: str | None = "R-1",
                 subject_id: str | None = None, on: str = "2024-12-05") -> str:
    data: dict[str, Any] = {"matter_code": "资产租赁", "subject": "出租临街门面房", "amount": "54000.00"}
    if resolution_id:
        data["resolution_id"] = resolution_id
    if subject_id:
        data["subject_id"] = subject_id
    ledger.append("MajorMatterReported", matter_id, data, on=on)
    ledger.append("MajorMatterFiled", matter_id, {"filed_by": "郯城街道农经站", "filing_number": "备2024-17"}, on=on)
    return matter_id


def with_asset(ledger: FakeLedger, asset_id: str = "A-7", *, category: str = "fixed_asset",
               appraised_annual_rent: str | None = "18000.00", batch_id: str = "B-1") -> str:
    if batch_id not in ledger.entities:
        ledger.append("InventoryBatchOpened", batch_id, {"title": "2024年度清产核资"}, on="2024-01-10")
    data = {"batch_id": batch_id, "name": "临街门面房3号", "category": category, "location": "人民路88号",
            "book_value": "120000.00", "appraised_value": "200000.00"}
    if appraised_annual_rent:
        data["appraised_annual_rent"] = appraised_annual_rent
    ledger.append("AssetRegistered", asset_id, data, on="2024-01-15")
    return asset_id


def refused(rule: str) -> Any:
    """pytest.raises for a RuleViolation of ``rule``."""
    return pytest.raises(RuleViolation, match=f"^{rule}: ")
