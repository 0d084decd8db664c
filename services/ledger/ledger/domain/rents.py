"""Rents of a lease: invoiced for periods inside its term, received up to what was invoiced."""
from __future__ import annotations

from typing import Any, cast

from ledger.contracts.leases import RentInvoiced, RentReceived
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.leases import Lease
from ledger.domain.money import format_fen


def _invoice(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: RentInvoiced) -> Entity:
    lease = cast(Lease, entity)
    first, last = p.period_start.isoformat(), p.period_end.isoformat()
    if last < first or first < lease.start or last > lease.ends_on:
        raise RuleViolation("rent-invoice-outside-term", f"rent for {first}..{last} is outside lease "
                            f"{lease.entity_id}'s term {lease.start}..{lease.ends_on}", lease_id=lease.entity_id,
                            period_start=first, period_end=last)
    lease.invoice(envelope=envelope, data=p.stored())
    return lease


def _receive(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: RentReceived) -> Entity:
    lease = cast(Lease, entity)
    on = envelope["effective_date"]
    if lease.terminated_on is not None and on > lease.terminated_on:
        raise RuleViolation("lease-terminated", f"rent received on {on}: lease {lease.entity_id} ended on "
                            f"{lease.terminated_on}", lease_id=lease.entity_id, terminated_on=lease.terminated_on)
    if lease.received + p.amount > lease.invoiced:
        raise RuleViolation("rent-received-exceeds-invoiced", f"lease {lease.entity_id}: {format_fen(p.amount)} yuan "
                            f"received on top of {format_fen(lease.received)} would exceed the "
                            f"{format_fen(lease.invoiced)} yuan invoiced", lease_id=lease.entity_id,
                            amount=format_fen(p.amount), received=format_fen(lease.received),
                            invoiced=format_fen(lease.invoiced))
    lease.receive(envelope=envelope, data=p.stored())
    return lease


register(EventType("RentInvoiced", Lease, RentInvoiced, _invoice,
                   description="Rent for a period inside the lease's term falls due."))
register(EventType("RentReceived", Lease, RentReceived, _receive,
                   description="Rent is received on a lease not yet ended, up to what was invoiced."))
