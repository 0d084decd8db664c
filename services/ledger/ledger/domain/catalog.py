"""The catalogue of event types a client may append, and what each one needs.

One entry per type: the entity class it belongs to, the payload contract that validates its
data, the handler that checks the rules and changes the entity, the fields that cite other
entities of the same CO, and the schema version. Domain modules register their types here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from ledger.domain.entity import Entity


@dataclass(frozen=True)
class Flag:
    """A rule the CO's policy flags instead of refusing; audit views list every flag."""

    rule: str
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "detail": self.detail, "values": self.values}


class Context(Protocol):
    """What a handler may look at besides its own entity. All lookups stay inside one CO."""

    org_id: str
    effective_date: str

    def entity(self, entity_id: str) -> Entity | None:
        """Another entity of the same CO as it stands now (this batch included), or None."""

    def citing(self, entity_id: str, kind: str) -> list[Entity]:
        """The entities of ``kind`` whose events cite ``entity_id`` (e.g. the leases of an asset)."""

    def citing_totals(self, entity_id: str, kind: str, attribute: str, by: str) -> tuple[int, Mapping[str, int]]:
        """``attribute`` summed over ``citing(entity_id, kind)``, in all and per value of ``by`` (e.g. the
        dividends paid under a distribution, per member): kept running, so a rule need not walk every
        citing entity on every event."""

    def organization(self) -> Entity:
        """The CO itself: its policy, cut-off date, governing bodies."""


Handler = Callable[[Context, "Entity | None", dict[str, Any], Any], Entity]
"""handler(context, entity or None when creating, envelope, payload) -> the entity.

The handler checks the rules (raising RuleViolation) and calls the entity's event methods.
It may add Flags to ``envelope["flags"]`` before triggering the event.
"""


@dataclass(frozen=True)
class EventType:
    """One kind of event a client may append."""

    name: str
    entity: type[Entity]
    payload: type
    handler: Handler
    creates: bool = False
    references: dict[str, str] = field(default_factory=dict)
    """payload field -> entity kind it cites (a str field, or a list of str); kind "*" accepts any."""
    version: int = 1
    description: str = ""
    author: str = "cooperative"
    """Who appends it: cooperative (through /events), auditor (close, findings), admin (registration) or books
    (the closing command, which computes the event from the books)."""
    registers: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]] | None = None
    """For types that add a row to a registry the ledger keeps beside the events: the event's data (stored form) ->
    (registry name, row). Registries: ``organization`` (name, street), ``closed_period`` (period, dates)."""

    @property
    def creates_organization(self) -> bool:
        """The event that brings a CO into the ledger needs no registered CO before it."""
        return self.creates and self.entity.KIND == "organization"


CATALOG: dict[str, EventType] = {}
DERIVED: dict[str, str] = {}
"""Types the ledger records itself (never appended by a client) -> why."""


def register(event_type: EventType) -> EventType:
    """Add a type to the catalogue; a name may be registered only once."""
    if event_type.name in CATALOG:
        raise ValueError(f"event type {event_type.name} registered twice")
    CATALOG[event_type.name] = event_type
    return event_type


def register_derived(name: str, why: str) -> None:
    """Name a type the ledger derives (e.g. ResolutionAdopted from the votes)."""
    DERIVED[name] = why


def load_catalog() -> dict[str, EventType]:
    """Import every domain module so that each has registered its types; return the catalogue."""
    import importlib

    importlib.import_module("ledger.domain")  # its __init__ imports every domain module
    return CATALOG
