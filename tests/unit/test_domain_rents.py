"""Rents: invoiced inside the term, received on a lease not ended, never beyond what was invoiced."""
from __future__ import annotations

from tests.support.fakes import (
    FakeLedger,
    new_co,
    refused,
    with_asset,
    with_body,
)

SMALL_LEASE = {"asset_id": "A-7", "lessee": "王秀兰", "start": "2025-01-01", "end": "2025-12-31",
               "rent": {"amount": "1500.00", "period": "monthly"}}


def leased() -> FakeLedger:
    ledger = with_body(new_co())
    with_asset(ledger)
    ledger.append("LeaseSigned", "L-1", SMALL_LEASE, on="2024-12-20")
    return ledger


def invoice(ledger: FakeLedger, amount: str = "4500.00", start: str = "2025-01-01", end: str = "2025-03-31") -> None:
    ledger.append("RentInvoiced", "L-1", {"amount": amount, "period_start": start, "period_end": end,
                                          "due": "2025-01-10", "invoice_no": "租2025-001"}, on=start)


def test_rent_invoiced_and_received_in_instalments() -> None:
    ledger = leased()
    invoice(ledger)
    ledger.append("RentReceived", "L-1", {"amount": "3000.00", "method": "cash", "note": "先交两个月"}, on="2025-01-08")
    lease = ledger.append("RentReceived", "L-1", {"amount": "1500.00", "receipt_no": "收0012"}, on="2025-02-08").entity
    assert (lease.invoiced, lease.received) == (450_000, 450_000)
    assert ledger.replayed("L-1").received == 450_000


def test_receipt_beyond_invoiced_is_refused() -> None:
    ledger = leased()
    invoice(ledger)
    with refused("rent-received-exceeds-invoiced"):
        ledger.append("RentReceived", "L-1", {"amount": "4500.01"}, on="2025-01-08")


def test_receipt_without_invoice_is_refused() -> None:
    with refused("rent-received-exceeds-invoiced"):
        leased().append("RentReceived", "L-1", {"amount": "1500.00"}, on="2025-01-08")


def test_receipt_after_the_lease_ended_is_refused_but_not_one_dated_before() -> None:
    ledger = leased()
    invoice(ledger)
    ledger.append("LeaseTerminated", "L-1", {"reason": "lessee_breach", "last_day": "2025-03-31"}, on="2025-04-02")
    with refused("lease-terminated"):
        ledger.append("RentReceived", "L-1", {"amount": "1500.00"}, on="2025-04-03")
    assert ledger.append("RentReceived", "L-1", {"amount": "1500.00"}, on="2025-03-30").entity.received == 150_000


def test_receipt_on_a_missing_lease_is_refused() -> None:
    with refused("entity-exists"):
        leased().append("RentReceived", "L-9", {"amount": "1500.00"})


def test_invoice_outside_the_term_is_refused() -> None:
    ledger = leased()
    with refused("rent-invoice-outside-term"):
        invoice(ledger, start="2025-12-01", end="2026-02-28")
    with refused("rent-invoice-outside-term"):
        invoice(ledger, start="2025-03-31", end="2025-03-01")
    ledger.append("LeaseTerminated", "L-1", {"reason": "mutual_agreement", "last_day": "2025-06-30"}, on="2025-06-30")
    with refused("rent-invoice-outside-term"):
        invoice(ledger, start="2025-07-01", end="2025-09-30")
    invoice(ledger, start="2025-04-01", end="2025-06-30")
