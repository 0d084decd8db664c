"""Payload contracts of shareholder qualification (股东资格认定) and shares."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ledger.contracts.base import EntityId, Payload, Text

QualificationBasis = Literal[
    "household_registration", "birth", "marriage", "adoption", "nominal_registration", "moved_away", "other"
]
SPECIAL_CASES = {"nominal_registration": "空挂户", "moved_away": "外迁人员"}
"""Bases decided case by case by the representative meeting: the qualification must cite its resolution."""


class MemberQualified(Payload):
    """A person is qualified as a member (股东) of the CO, in a household, on a basis."""

    name: Text = Field(description="The member's name (姓名).")
    household_id: EntityId = Field(description="The household (户) the member belongs to, e.g. the 户号.")
    basis: QualificationBasis = Field(
        description="household_registration 户籍, birth 出生, marriage 婚入, adoption 收养, nominal_registration "
        "空挂户 (needs a resolution), moved_away 外迁人员 (needs a resolution), other."
    )
    relation: Text | None = Field(default=None, description="Relation to the head of household (与户主关系).")
    resolution_id: EntityId | None = Field(
        default=None,
        description="The representative meeting's adopted resolution; needed after the cut-off and for special cases.",
    )
    note: Text | None = Field(default=None, description="Remarks.")


class SharesAllotted(Payload):
    """Shares are allotted to a member (配股), on or before the CO's qualification cut-off date."""

    shares: int = Field(ge=1, le=1_000_000, description="Number of shares allotted.")
    share_class: Text | None = Field(default=None, description="Kind of share, e.g. 人口股, 劳龄股.")
    note: Text | None = Field(default=None, description="Remarks.")


class SharesTransferred(Payload):
    """A member's shares pass to another member: by inheritance (继承) or within the household (户内转让)."""

    to_member_id: EntityId = Field(description="The member receiving the shares.")
    shares: int = Field(ge=1, le=1_000_000, description="Number of shares transferred.")
    reason: Literal["inheritance", "within_household"] = Field(
        description="inheritance 继承, within_household 户内转让 (both members in the same household)."
    )
    note: Text | None = Field(default=None, description="Remarks, e.g. the certificate of inheritance.")


class MemberRecordCorrected(Payload):
    """A member's record is corrected (name, household, relation); shares change only by allotment or transfer."""

    name: Text | None = Field(default=None, description="The corrected name.")
    household_id: EntityId | None = Field(default=None, description="The corrected household.")
    relation: Text | None = Field(default=None, description="The corrected relation to the head of household.")
    reason: Text = Field(description="Why it was corrected.")
    resolution_id: EntityId | None = Field(default=None, description="The resolution behind it, when there is one.")
