"""Payloads of the organization itself: registration, major-matter policy, qualification cut-off."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ledger.contracts.base import Money, Payload, Text

DEFAULT_THRESHOLD_FEN = 3_000_000
"""30,000 yuan: leases and tenders at or above it are major matters (重大事项)."""


class MajorMatterPolicy(Payload):
    """Which matters must be decided by resolution and filed with the street (重大事项报备)."""

    threshold: Money = Field(default=DEFAULT_THRESHOLD_FEN, description="At or above: a major matter.")
    matter_codes: list[Text] = Field(default_factory=list, description="The CO's list of major-matter codes.")
    mode: Literal["reject", "flag"] = Field(
        default="reject", description="reject: refuse a major matter without resolution and filing; flag: store and list it."
    )


class OrganizationRegistered(Payload):
    """A CO joins the ledger (registered by an admin)."""

    name: Text
    street: Text = Field(description="The street or township office that audits it (街道).")
    qualification_cutoff: date = Field(description="Cut-off date of member qualification (股东资格认定基准日).")
    policy: MajorMatterPolicy = Field(default_factory=MajorMatterPolicy)


class MajorMatterPolicySet(Payload):
    """The CO changes its major-matter policy."""

    policy: MajorMatterPolicy


class QualificationCutoffSet(Payload):
    """The CO sets (or corrects) its member-qualification cut-off date."""

    qualification_cutoff: date
