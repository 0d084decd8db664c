"""Payload contracts of major matters (重大事项): the report to the street and its filing."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ledger.contracts.base import EntityId, Money, Payload, Text

NonNegativeMoney = Annotated[Money, Field(ge=0)]


class MajorMatterReported(Payload):
    """The CO reports a major matter to the street (重大事项报告): what, how much, decided by which resolution."""

    matter_code: Text = Field(description="The code of the matter on the CO's major-matter list, e.g. 资产租赁.")
    subject: Text = Field(description="What the matter is about, e.g. 出租临街门面房三间.")
    subject_id: EntityId | None = Field(
        default=None,
        description="The asset, lease or tender it concerns; may name a lease or tender not yet recorded.",
    )
    amount: NonNegativeMoney | None = Field(
        default=None, description="The amount involved, in yuan (total contract value)."
    )
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution that decided the matter.")
    reported_to: Text | None = Field(default=None, description="The street or township office it was reported to (街道).")


class MajorMatterFiled(Payload):
    """The street acknowledges and files the reported matter (备案)."""

    filed_by: Text = Field(description="The office that filed it, e.g. 郯城街道农经站.")
    filing_number: Text | None = Field(default=None, description="The street's filing number (备案号).")
    note: Text | None = Field(default=None, description="The street's remarks.")
