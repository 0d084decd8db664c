"""Payload contracts of leases and contracting (发包租赁), rents and engineering tenders."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ledger.contracts.base import EntityId, Payload, PositiveMoney, Text
from ledger.contracts.major_matters import NonNegativeMoney

RentPeriod = Literal["monthly", "quarterly", "yearly"]


class RentSchedule(Payload):
    """The rent: an amount per period (租金标准)."""

    amount: PositiveMoney = Field(description="Rent per period, in yuan.")
    period: RentPeriod = Field(description="monthly 按月, quarterly 按季, yearly 按年.")


class LeaseSigned(Payload):
    """A lease of an asset is signed (租赁合同): lessee, term, rent, deposit, its resolution and filing."""

    asset_id: EntityId = Field(description="The asset leased (门面房, 市场, 土地...).")
    lessee: Text = Field(description="The lessee (承租方), a person or a company.")
    lessee_id: Text | None = Field(default=None, description="The lessee's ID or unified social credit code.")
    start: date = Field(description="First day of the term.")
    end: date = Field(description="Last day of the term.")
    rent: RentSchedule
    deposit: NonNegativeMoney | None = Field(default=None, description="Deposit (押金/保证金) in yuan.")
    purpose: Text | None = Field(default=None, description="What the asset is used for (用途).")
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution approving the lease.")
    filing_id: EntityId | None = Field(default=None, description="The filed major-matter report (重大事项备案).")


class LeaseAmended(Payload):
    """The terms of a lease change from a given day: rent, end of term, deposit or lessee's name."""

    applies_from: date = Field(description="The first day the new terms apply.")
    rent: RentSchedule | None = Field(default=None, description="The new rent, when it changes.")
    end: date | None = Field(default=None, description="The new last day of the term, when it changes.")
    deposit: NonNegativeMoney | None = Field(default=None, description="The new deposit in yuan, when it changes.")
    lessee: Text | None = Field(default=None, description="The lessee's corrected or changed name.")
    reason: Text = Field(description="Why the lease was amended (变更原因).")
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution approving the amendment.")
    filing_id: EntityId | None = Field(default=None, description="The filed major-matter report of the amendment.")


class LeaseRenewed(Payload):
    """A lease is renewed (续租): its term extended to a new end, possibly at a new rent."""

    end: date = Field(description="The new last day of the term.")
    rent: RentSchedule | None = Field(default=None, description="The rent of the renewed term, when it changes.")
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution approving the renewal.")
    filing_id: EntityId | None = Field(default=None, description="The filed major-matter report of the renewal.")


class LeaseTerminated(Payload):
    """A lease ends: at expiry, by agreement, for breach, or by expropriation."""

    reason: Literal["expired", "mutual_agreement", "lessee_breach", "lessor_breach", "expropriation", "other"] = Field(
        description="expired 到期, mutual_agreement 协商解除, lessee_breach 承租方违约, lessor_breach 出租方违约, "
        "expropriation 征收, other."
    )
    last_day: date | None = Field(
        default=None, description="The lease's last day; defaults to the effective date, or the end of term if earlier."
    )
    deposit_refunded: NonNegativeMoney | None = Field(default=None, description="Deposit returned, in yuan.")
    note: Text | None = Field(default=None, description="Remarks.")


class RentInvoiced(Payload):
    """Rent for a period of the lease is due (应收租金)."""

    amount: PositiveMoney = Field(description="Rent due, in yuan.")
    period_start: date = Field(description="First day of the rent period invoiced.")
    period_end: date = Field(description="Last day of the rent period invoiced.")
    due: date | None = Field(default=None, description="When it must be paid (缴费期限).")
    invoice_no: Text | None = Field(default=None, description="Invoice or notice number.")


class RentReceived(Payload):
    """Rent is received from the lessee (收到租金)."""

    amount: PositiveMoney = Field(description="Amount received, in yuan.")
    method: Literal["bank_transfer", "cash", "other"] = Field(default="bank_transfer", description="How it was paid.")
    receipt_no: Text | None = Field(default=None, description="Receipt number (收据号).")
    note: Text | None = Field(default=None, description="Remarks, e.g. 补交2024年第四季度租金.")


class TenderAwarded(Payload):
    """An engineering tender is awarded (工程招投标): the contractor and the contract amount."""

    project: Text = Field(description="The project, e.g. 农贸市场屋顶维修工程.")
    contractor: Text = Field(description="The winning bidder (中标单位).")
    amount: PositiveMoney = Field(description="The contract amount (中标金额), in yuan.")
    bidders: int | None = Field(default=None, ge=1, description="How many bids were received.")
    asset_id: EntityId | None = Field(default=None, description="The asset built or repaired, when registered.")
    resolution_id: EntityId | None = Field(default=None, description="The adopted resolution approving the project.")
    filing_id: EntityId | None = Field(default=None, description="The filed major-matter report (重大事项备案).")
