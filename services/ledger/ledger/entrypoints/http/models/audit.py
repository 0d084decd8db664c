"""Request and response bodies of the audit routes (period views, closing, findings)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledger.contracts.base import EntityId, IsoDate
from ledger.entrypoints.http.models.events import AppendOut


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closed_on: IsoDate | None = Field(default=None, description="The day of closing; default: today (UTC).")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    finding_id: EntityId
    period: str = Field(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
    title: str = Field(min_length=1, max_length=500)
    detail: str = Field(min_length=1, max_length=500)
    severity: str = "medium"
    subject_ids: list[EntityId] = Field(default_factory=list)
    recorded_on: IsoDate | None = None


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rectification: str = Field(min_length=1, max_length=500)
    evidence: str | None = Field(default=None, max_length=500)
    recorded_on: IsoDate | None = None


class ViewAnswerOut(BaseModel):
    """A view as answered: the canonical view, the SHA-256 of its canonical JSON, where its facts came from."""

    view: dict[str, Any] = Field(description="The view; hash it as canonical JSON (sorted keys, no spaces, UTF-8).")
    sha256: str
    source: Literal["read-model", "replay"]
    rules_version: int = Field(description="The books rules version the view was computed under (docs/books.md).")


class Adjustment(BaseModel):
    position: int
    type: str
    entity_id: str
    effective_date: str
    adjusts: dict[str, Any]


class ClosedOut(BaseModel):
    """How the period was closed, and its view as closed, reproduced from the log prefix it named."""

    position: int
    closed_on: str
    actor: str
    view_sha256: str
    checkpoint: str
    as_closed: ViewAnswerOut
    reproduced: bool = Field(description="Whether the view at the closing's position still hashes as stored.")
    rules_version: int = Field(description="The rules the period was closed under; as_closed is served under them.")
    differs_because: list[Literal["rules", "late-events"]] = Field(
        description="Why the view as known now differs from the closed one: the rules changed, events arrived since.")
    adjustments: list[Adjustment]


class PeriodViewOut(BaseModel):
    """A period's audit view as known at a point, and, once closed, as closed."""

    org_id: str
    period: str
    asked_known_at: int
    as_known: ViewAnswerOut
    closed: ClosedOut | None


class CloseOut(BaseModel):
    """What the close stored (its PeriodClosed data) and the append receipt."""

    period: str
    view: str
    known_at_position: int
    tree_size: int
    view_sha256: str
    checkpoint: str
    rules_version: int
    closed_on: str
    receipt: AppendOut
