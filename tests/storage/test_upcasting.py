"""Schema v2 of an event type: old events are upcast on read; the log still commits to stored bytes."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from eventsourcing.domain import event
from eventsourcing.utils import clear_topic_cache, get_topic, register_topic
from sqlalchemy import text

from ledger.application.append import EventRequest
from ledger.bootstrap import Services
from ledger.contracts.base import Payload
from ledger.domain import catalog
from ledger.domain.entity import Entity
from ledger.log.record import leaf_hash_of
from tests.storage.conftest import register


class ProbeMadeV1(Payload):
    """v1: one field, 'size'."""

    size: int


class Probe(Entity):
    KIND = "probe"

    @event("ProbeMade")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.size = data["size"]


class ProbeV2(Entity):
    """The same entity after a deploy in which ProbeMade v2 renamed 'size' to 'width_cm'."""

    KIND = "probe"

    class ProbeMade(Entity.Created):
        class_version = 2
        envelope: dict[str, Any]
        data: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["data"] = {"width_cm": state["data"]["size"]}

    @event(ProbeMade)
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.width_cm = data["width_cm"]


def _make(ctx: Any, entity: Any, envelope: dict[str, Any], payload: ProbeMadeV1) -> Entity:
    return Probe(envelope=envelope, data=payload.stored())


@pytest.fixture
def probe_type() -> Iterator[None]:
    catalog.register(catalog.EventType("ProbeMade", Probe, ProbeMadeV1, _make, creates=True))
    yield
    del catalog.CATALOG["ProbeMade"]


def test_v1_events_are_upcast_for_entities_and_keep_their_leaf_hashes(services: Services, probe_type: None) -> None:
    register(services)
    services.appender.append("TC-001", "cooperative:test",
                             [EventRequest("ProbeMade", "P-1", date(2025, 1, 1), {"size": 7})])
    before = services.reader.records(org_ids=["TC-001"], type="ProbeMade")[0]

    clear_topic_cache()  # as in a new process whose code has only v2
    register_topic(get_topic(Probe), ProbeV2)
    register_topic(get_topic(Probe) + ".ProbeMade", ProbeV2.ProbeMade)
    try:
        entity = services.reader.entity("TC-001", "P-1")
        assert isinstance(entity, ProbeV2) and entity.width_cm == 7
        after = services.reader.records(org_ids=["TC-001"], type="ProbeMade")[0]
    finally:
        clear_topic_cache()
    assert after == before and after.data == {"size": 7} and after.schema_version == 1
    with services.engine.connect() as conn:
        stored_leaf = conn.execute(text("SELECT leaf_hash FROM ledger_entries WHERE type = 'ProbeMade'")).scalar()
    assert bytes(stored_leaf) == leaf_hash_of(after)
