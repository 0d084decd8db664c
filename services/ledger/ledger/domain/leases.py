"""Leases and contracting (发包租赁): signing, amending, renewing and ending the lease of an asset.

Rules: no lease of a disposed asset or of a fund; no two leases of one asset overlapping; a lease
(or an amended lease, or a renewal) worth at least the threshold over its term is a major matter;
a rent below the asset's appraised annual rent is flagged as below value (低价租赁).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.leases import (
    LeaseAmended,
    LeaseRenewed,
    LeaseSigned,
    LeaseTerminated,
)
from ledger.domain.assets import Asset, refuse_if_disposed
from ledger.domain.catalog import Context, EventType, Flag, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.major_matters import check_major_matter
from ledger.domain.money import format_fen
from ledger.domain.rent_schedule import (
    PERIOD_NAMES,
    LeaseTerms,
    annual,
    below_annual,
    periods_in,
    schedule_value,
)


def amended_schedule(schedule: list[dict[str, Any]], applies_from: str, rent: dict[str, Any]) -> list[dict[str, Any]]:
    """The schedule with ``rent`` applying from ``applies_from`` on, replacing later segments."""
    kept = [dict(segment) for segment in schedule if segment["from"] < applies_from]
    return [*kept, {"from": applies_from, "amount": rent["amount"], "period": rent["period"]}]


def day_after(iso_day: str) -> str:
    return (date.fromisoformat(iso_day) + timedelta(days=1)).isoformat()


class Lease(Entity, LeaseTerms):
    """The lease of one asset to one lessee, with its rent schedule, invoices and receipts."""

    KIND = "lease"

    @event("LeaseSigned")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.asset_id = data["asset_id"]
        self.lessee = data["lessee"]
        self.lessee_id = data.get("lessee_id")
        self.start = data["start"]
        self.end = data["end"]
        self.schedule = amended_schedule([], data["start"], data["rent"])
        self.deposit = data.get("deposit", 0)
        self.purpose = data.get("purpose")
        self.status = "active"
        self.terminated_on: str | None = None
        self.invoiced = 0
        self.received = 0
        self.amendments = 0
        self.renewals = 0

    @event("LeaseAmended")
    def amend(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        if "rent" in data:
            self.schedule = amended_schedule(self.schedule, data["applies_from"], data["rent"])
        self.end = data.get("end", self.end)
        self.deposit = data.get("deposit", self.deposit)
        self.lessee = data.get("lessee", self.lessee)
        self.amendments += 1

    @event("LeaseRenewed")
    def renew(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        if "rent" in data:
            self.schedule = amended_schedule(self.schedule, day_after(self.end), data["rent"])
        self.end = data["end"]
        self.renewals += 1

    @event("LeaseTerminated")
    def terminate(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.status = "terminated"
        self.terminated_on = data["last_day"]

    @event("RentInvoiced")
    def invoice(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.invoiced += data["amount"]

    @event("RentReceived")
    def receive(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self.received += data["amount"]

    @property
    def rent(self) -> dict[str, Any]:
        """The rent in force at the end of the term."""
        return self.schedule[-1]


def refuse_if_terminated(lease: Lease, what: str) -> None:
    if lease.status == "terminated":
        raise RuleViolation("lease-terminated", f"{what}: lease {lease.entity_id} ended on {lease.terminated_on}",
                            lease_id=lease.entity_id, terminated_on=lease.terminated_on)


def refuse_overlap(ctx: Context, asset_id: str, lease_id: str, start: str, end: str) -> None:
    """Refuse a term overlapping another lease of the same asset (rule ``lease-overlap``)."""
    for other in ctx.citing(asset_id, "lease"):
        if other.entity_id == lease_id or not isinstance(other, Lease):
            continue
        if other.start <= end and start <= other.ends_on:
            raise RuleViolation("lease-overlap", f"lease {lease_id} ({start}..{end}) overlaps lease {other.entity_id} "
                                f"of asset {asset_id} ({other.start}..{other.ends_on})", lease_id=lease_id,
                                other_lease_id=other.entity_id, asset_id=asset_id)


def flag_below_value(envelope: dict[str, Any], lease_id: str, asset: Asset, rent: dict[str, Any]) -> None:
    """Flag a rent below the asset's appraised annual rent (rule ``below-value-lease``)."""
    appraised = asset.appraised_annual_rent
    if appraised is None or not below_annual(rent["amount"], rent["period"], appraised):
        return
    envelope["flags"].append(Flag(
        "below-value-lease",
        f"lease {lease_id}: rent {format_fen(rent['amount'])} yuan {PERIOD_NAMES[rent['period']]} "
        f"({format_fen(annual(rent['amount'], rent['period']))} a year) is below the appraised annual rent "
        f"{format_fen(appraised)} yuan of asset {asset.entity_id} ({asset.name}) (低价租赁)",
        {"lease_id": lease_id, "asset_id": asset.entity_id, "rent": format_fen(rent["amount"]),
         "period": rent["period"], "appraised_annual_rent": format_fen(appraised)},
    ).to_json())


def _sign(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: LeaseSigned) -> Entity:
    lease_id = envelope["entity_id"]
    asset = cast(Asset, ctx.entity(p.asset_id))
    if p.end < p.start:
        raise RuleViolation("lease-term-invalid", f"lease {lease_id} ends {p.end} before it starts {p.start}",
                            start=p.start.isoformat(), end=p.end.isoformat())
    refuse_if_disposed(asset, f"lease {lease_id}")
    if asset.category == "fund":
        raise RuleViolation("asset-not-leasable", f"asset {asset.entity_id} ({asset.name}) is a fund; funds are not "
                            "leased", asset_id=asset.entity_id)
    refuse_overlap(ctx, p.asset_id, lease_id, p.start.isoformat(), p.end.isoformat())
    value = p.rent.amount * periods_in(p.start, p.end, p.rent.period)
    check_major_matter(ctx, envelope, what=f"lease {lease_id} of asset {p.asset_id}, total contract value",
                       amount_fen=value, resolution_id=p.resolution_id, filing_id=p.filing_id,
                       subject_ids=(lease_id, p.asset_id))
    flag_below_value(envelope, lease_id, asset, p.rent.stored())
    return Lease(envelope=envelope, data=p.stored())


def _amend(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: LeaseAmended) -> Entity:
    lease = cast(Lease, entity)
    asset = cast(Asset, ctx.entity(lease.asset_id))
    refuse_if_terminated(lease, "amendment")
    applies_from = p.applies_from.isoformat()
    if not lease.start <= applies_from <= lease.end:
        raise RuleViolation("amendment-outside-term", f"amendment of lease {lease.entity_id} applies from "
                            f"{applies_from}, outside its term {lease.start}..{lease.end}", lease_id=lease.entity_id)
    if p.rent is None and p.end is None and p.deposit is None and p.lessee is None:
        raise RuleViolation("amendment-empty", f"amendment of lease {lease.entity_id} changes nothing",
                            lease_id=lease.entity_id)
    end = p.end.isoformat() if p.end else lease.end
    if end < applies_from:
        raise RuleViolation("lease-term-invalid", f"lease {lease.entity_id} would end {end}, before the amendment "
                            f"applies ({applies_from})", lease_id=lease.entity_id, end=end)
    if end > lease.end:
        refuse_if_disposed(asset, f"amendment of lease {lease.entity_id}")
        refuse_overlap(ctx, lease.asset_id, lease.entity_id, lease.start, end)
    schedule = amended_schedule(lease.schedule, applies_from, p.rent.stored()) if p.rent else lease.schedule
    value = schedule_value(schedule, date.fromisoformat(end))
    check_major_matter(ctx, envelope, what=f"amended lease {lease.entity_id}, total contract value", amount_fen=value,
                       resolution_id=p.resolution_id, filing_id=p.filing_id,
                       subject_ids=(lease.entity_id, lease.asset_id))
    if p.rent:
        flag_below_value(envelope, lease.entity_id, asset, p.rent.stored())
    lease.amend(envelope=envelope, data=p.stored())
    return lease


def _renew(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: LeaseRenewed) -> Entity:
    lease = cast(Lease, entity)
    asset = cast(Asset, ctx.entity(lease.asset_id))
    refuse_if_terminated(lease, "renewal")
    end = p.end.isoformat()
    if end <= lease.end:
        raise RuleViolation("renewal-end-invalid", f"renewal of lease {lease.entity_id} to {end} does not extend its "
                            f"term ending {lease.end}", lease_id=lease.entity_id, end=end)
    refuse_if_disposed(asset, f"renewal of lease {lease.entity_id}")
    first = day_after(lease.end)
    refuse_overlap(ctx, lease.asset_id, lease.entity_id, first, end)
    rent = p.rent.stored() if p.rent else lease.rent
    value = rent["amount"] * periods_in(date.fromisoformat(first), p.end, rent["period"])
    check_major_matter(ctx, envelope, what=f"renewal of lease {lease.entity_id} ({first}..{end}), contract value",
                       amount_fen=value, resolution_id=p.resolution_id, filing_id=p.filing_id,
                       subject_ids=(lease.entity_id, lease.asset_id))
    flag_below_value(envelope, lease.entity_id, asset, rent)
    lease.renew(envelope=envelope, data=p.stored())
    return lease


def _terminate(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: LeaseTerminated) -> Entity:
    lease = cast(Lease, entity)
    refuse_if_terminated(lease, "termination")
    last_day = p.last_day.isoformat() if p.last_day else min(envelope["effective_date"], lease.end)
    if not lease.start <= last_day <= lease.end:
        raise RuleViolation("lease-termination-date-invalid", f"lease {lease.entity_id} cannot end on {last_day}, "
                            f"outside its term {lease.start}..{lease.end}", lease_id=lease.entity_id,
                            last_day=last_day)
    stored = p.model_copy(update={"last_day": date.fromisoformat(last_day)}).stored()
    lease.terminate(envelope=envelope, data=stored)
    return lease


_MAJOR = {"resolution_id": "resolution", "filing_id": "major_matter"}

register(EventType("LeaseSigned", Lease, LeaseSigned, _sign, creates=True, references={"asset_id": "asset", **_MAJOR},
                   description="A lease is signed; at or above the threshold it needs a resolution and a filing."))
register(EventType("LeaseAmended", Lease, LeaseAmended, _amend, references=_MAJOR,
                   description="The terms of a lease change from a given day."))
register(EventType("LeaseRenewed", Lease, LeaseRenewed, _renew, references=_MAJOR,
                   description="A lease's term is extended (续租)."))
register(EventType("LeaseTerminated", Lease, LeaseTerminated, _terminate,
                   description="A lease ends (at expiry, by agreement, for breach, by expropriation)."))
