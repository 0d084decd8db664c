"""Request and response bodies of the HTTP API (one model per resource and direction)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

from ledger.contracts.base import EntityId, IsoDate
from ledger.contracts.organization import MajorMatterPolicy
from ledger.contracts.text import TEXT_PATTERN
from ledger.entrypoints.http.models.params import ORG_ID_PATTERN

StrictDate = IsoDate


def _utc_text(moment: datetime) -> str:
    """A time in UTC with its offset written +00:00 (SQLite gives stored times back without a zone)."""
    aware = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return aware.isoformat()


UtcTime = Annotated[datetime, PlainSerializer(_utc_text, return_type=str)]
"""A time as the API shows it: UTC, always with +00:00."""
OrgId = Annotated[str, Field(pattern=ORG_ID_PATTERN, examples=["TC-001"], description="The CO's id, e.g. TC-001.")]
Street = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, examples=["城关街道"])]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventIn(Closed):
    """One event to append."""

    type: str = Field(min_length=1, max_length=64, examples=["LeaseSigned"], description="An event type of the catalogue.")
    entity_id: EntityId
    effective_date: StrictDate = Field(description="When it happened in the world (YYYY-MM-DD).")
    data: dict[str, Any] = Field(description="The type's payload; see schemas/events/<Type>.v1.json.")
    expected_version: int | None = Field(default=None, ge=0,
                                         description="Refuse (409) unless the entity is at this version (0: new).")


class AppendIn(Closed):
    """A batch of 1..1000 events of one CO, stored all or nothing."""

    events: list[EventIn] = Field(min_length=1, max_length=1000)


class AppendedEvent(BaseModel):
    index: int
    event_id: str
    type: str
    entity_id: str
    entity_version: int
    position: int = Field(description="Global log position, assigned by the ledger.")
    recorded_at: str = Field(description="When the ledger recorded it (UTC), assigned by the ledger.")
    effective_date: str
    flags: list[dict[str, Any]]
    leaf_index: int = Field(description="Index of the event's leaf in the CO's Merkle log.")
    leaf_hash: str = Field(description="Hex SHA-256 leaf hash (RFC 9162) of the event's canonical bytes.")


class LogState(BaseModel):
    tree_size: int
    root_hash: str
    checkpoint: str | None = Field(description="C2SP signed note of the CO's log checkpoint covering the batch.")


class AppendOut(BaseModel):
    """The receipt of an append: keep it; its checkpoint proves what the ledger accepted."""

    events: list[AppendedEvent]
    log: LogState


class EventOut(BaseModel):
    position: int
    event_id: str
    org_id: str
    entity_id: str
    entity_version: int
    type: str
    schema_version: int
    effective_date: str
    recorded_at: str
    actor: str
    idempotency_key: str | None
    flags: list[dict[str, Any]]
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    next_after: int | None = Field(description="Pass as ?after= for the next page; null at the end.")


class OrgIn(Closed):
    """Register a CO."""

    org_id: OrgId
    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, examples=["城关街道东关社区股份经济合作社"])
    street: Street
    qualification_cutoff: StrictDate
    policy: MajorMatterPolicy = Field(default_factory=MajorMatterPolicy)


class OrgOut(BaseModel):
    org_id: str
    name: str
    street: str
    position: int


class EntityOut(BaseModel):
    org_id: str
    entity_id: str
    kind: str
    version: int
    state: dict[str, Any]


class TokenIn(Closed):
    """A token to issue; the ledger names its subject (the actor recorded on its events)."""

    role: Literal["cooperative", "auditor", "admin"]
    org_id: OrgId | None = Field(default=None, description="A cooperative token's CO.")
    street: Street | None = Field(default=None, description="An auditor token's street, or * for every street.")
    expires_at: AwareDatetime | None = Field(default=None, description="When it stops working (with a zone); "
                                             "default never.", examples=["2027-01-01T00:00:00+08:00"])


class TokenOut(BaseModel):
    token_id: str
    subject: str
    role: str
    org_id: str | None
    street: str | None
    created_at: UtcTime | None = None
    expires_at: UtcTime | None = None
    revoked_at: UtcTime | None = None
    token: str | None = Field(default=None, description="The secret: shown once, at creation.")
