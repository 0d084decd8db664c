"""Payload contracts of distribution (收益分配): the plan the congress adopts, and dividends paid."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ledger.contracts.base import EntityId, Payload, PositiveMoney, Text
from ledger.contracts.major_matters import NonNegativeMoney


class DistributionDeclared(Payload):
    """A distribution plan is declared (收益分配方案): the reserve fund set aside first, the rest paid per share."""

    resolution_id: EntityId = Field(description="The adopted resolution of the congress or representatives.")
    fiscal_year: int = Field(ge=2000, le=2100, description="The year whose result is distributed.")
    distributable: NonNegativeMoney = Field(description="Distributable result (可分配收益), in yuan.")
    reserve_fund: NonNegativeMoney = Field(description="Set aside first for the reserve fund (提取公积公益金), in yuan.")
    member_distribution: NonNegativeMoney = Field(description="Distributed to members (成员分配), in yuan.")
    other: NonNegativeMoney | None = Field(default=None, description="Other appropriations (其他), in yuan.")
    rate_per_share: PositiveMoney = Field(description="Dividend per share (每股分红), in yuan.")
    note: Text | None = Field(default=None, description="Remarks.")


class DividendPaid(Payload):
    """A member is paid a dividend of a declared distribution (分红)."""

    distribution_id: EntityId = Field(description="The distribution it is paid from.")
    member_id: EntityId = Field(description="The member paid.")
    amount: PositiveMoney = Field(description="Amount paid, in yuan; at most the member's shares x rate.")
    method: Literal["bank_transfer", "cash", "other"] = Field(default="bank_transfer", description="How it was paid.")
    note: Text | None = Field(default=None, description="Remarks.")
