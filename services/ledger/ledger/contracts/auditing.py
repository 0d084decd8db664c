"""Payload contracts of the audit cycle: closing a period, findings and their rectification."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ledger.contracts.base import EntityId, Payload, Text

PeriodText = Field(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$", description="2025-03, 2025-Q1 or 2025.")


class Adjustment(Payload):
    """What a correction adjusts: an event of a closed period, corrected in an open one (调整)."""

    period: str = PeriodText
    corrects: EntityId | None = Field(default=None, description="The voucher or other entity it corrects.")
    reason: Text = Field(description="Why the closed period needed this correction.")


class PeriodClosed(Payload):
    """An auditor closes a period: the view as known at a log position, its hash, a signed checkpoint."""

    period: str = PeriodText
    view: Literal["monthly", "quarterly", "yearly"] = Field(description="Which audit view was closed.")
    known_at_position: int = Field(ge=0, description="Global log position the closed view was computed at.")
    tree_size: int = Field(ge=0, description="The CO's Merkle log size at that position.")
    view_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the view's canonical JSON.")
    checkpoint: str = Field(description="The CO's signed log checkpoint (C2SP signed note) at closing.")
    rules_version: int | None = Field(default=None, ge=1, description="The books rules version the view was computed "
                                      "under; absent on closes made before rules were versioned (version 1).")


class FindingRecorded(Payload):
    """An auditor records a finding (审计发现) about a period, citing what it concerns."""

    period: str = PeriodText
    title: Text = Field(description="The finding in a line, e.g. 门面房3号租金逾期未催收.")
    detail: Text = Field(description="What was found, with amounts and dates.")
    severity: Literal["low", "medium", "high"] = Field(default="medium", description="low, medium or high.")
    subject_ids: list[EntityId] = Field(default_factory=list, description="Entities the finding concerns.")


class FindingRectified(Payload):
    """The CO's rectification of a finding (整改) is recorded by the auditor."""

    rectification: Text = Field(description="What the CO did about it (整改措施).")
    evidence: Text | None = Field(default=None, description="Where the evidence is, e.g. voucher numbers.")


class StatementsPublished(Payload):
    """An auditor publishes a period's statements on the CO's disclosure board (公开栏), for its members."""

    period: str = PeriodText
    view: Literal["monthly", "quarterly", "yearly"] = Field(description="Which audit view was published.")
    known_at_position: int = Field(ge=0, description="Global log position the published view was computed at.")
    tree_size: int = Field(ge=0, description="The CO's Merkle log size at that position.")
    view_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the view's canonical JSON.")
    checkpoint: str = Field(description="The CO's signed log checkpoint (C2SP signed note) at publication.")
    rules_version: int = Field(ge=1, description="The books rules version the published view was computed under.")
