"""Leases as the views see them: states as of a date, their history, rent invoiced and received, arrears.

A lease's events are replayed the way the domain's ``Lease`` applies them (same schedule and
renewal arithmetic, reused from ``ledger.domain.leases`` and ``ledger.domain.rent``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ledger.domain.leases import amended_schedule, day_after
from ledger.domain.rent_schedule import LeaseTerms, annual
from projections.facts import Fact
from projections.views.common import Row, by_effective_date, days_between

LEASE_TYPES = ("LeaseSigned", "LeaseAmended", "LeaseRenewed", "LeaseTerminated", "RentInvoiced", "RentReceived")

AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_0_30_fen", 0, 30),
    ("days_31_90_fen", 31, 90),
    ("days_91_180_fen", 91, 180),
    ("days_over_180_fen", 181, None),
)
"""Arrears by days past due at the period end; rent not yet due is ``not_due_fen``."""


@dataclass
class LeaseState(LeaseTerms):
    """One lease as its events so far leave it (the domain's ``Lease``, as plain data)."""

    lease_id: str
    asset_id: str
    lessee: str
    start: str
    end: str
    schedule: list[dict[str, Any]]
    deposit: int
    signed_on: str
    terminated_on: str | None = None
    termination_reason: str | None = None
    invoices: list[Row] = field(default_factory=list)
    receipts: list[Row] = field(default_factory=list)
    history: list[Row] = field(default_factory=list)

    @classmethod
    def signed(cls, fact: Fact) -> "LeaseState":
        a = fact.attrs
        state = cls(fact.entity_id, a["asset_id"], a["lessee"], a["start"], a["end"],
                    amended_schedule([], a["start"], a["rent"]), int(a.get("deposit", 0)), fact.effective_date)
        state.history.append(state._event(fact, "signed", start=a["start"], end=a["end"], rent=rent_row(a["rent"])))
        return state

    def apply(self, fact: Fact) -> None:
        """Change the state as the domain's event method does, and note the change in ``history``."""
        a = fact.attrs
        if fact.kind == "LeaseAmended":
            self._amend(fact)
        elif fact.kind == "LeaseRenewed":
            previous = self.end
            if "rent" in a:
                self.schedule = amended_schedule(self.schedule, day_after(self.end), a["rent"])
            self.end = a["end"]
            self.history.append(self._event(fact, "renewed", previous_end=previous, end=self.end,
                                            rent=rent_row(self.schedule[-1])))
        elif fact.kind == "LeaseTerminated":
            self.terminated_on, self.termination_reason = a.get("last_day", fact.effective_date), a.get("reason")
            self.history.append(self._event(fact, "terminated", last_day=self.terminated_on,
                                            reason=self.termination_reason))
        elif fact.kind == "RentInvoiced":
            self.invoices.append({"date": fact.effective_date, "position": fact.position, "amount": int(a["amount"]),
                                  "period_start": a["period_start"], "period_end": a["period_end"],
                                  "due": a.get("due") or a["period_start"], "invoice_no": a.get("invoice_no")})
        elif fact.kind == "RentReceived":
            self.receipts.append({"date": fact.effective_date, "position": fact.position, "amount": int(a["amount"])})

    def _amend(self, fact: Fact) -> None:
        a = fact.attrs
        if "rent" in a:
            self.schedule = amended_schedule(self.schedule, a["applies_from"], a["rent"])
        self.end = a.get("end", self.end)
        self.deposit = int(a.get("deposit", self.deposit))
        self.lessee = a.get("lessee", self.lessee)
        changed = sorted(k for k in ("rent", "end", "deposit", "lessee") if k in a)
        self.history.append(self._event(fact, "amended", applies_from=a["applies_from"], changed=changed,
                                        end=self.end, rent=rent_row(self.schedule[-1])))

    def _event(self, fact: Fact, change: str, **details: Any) -> Row:
        return {"date": fact.effective_date, "position": fact.position, "lease_id": self.lease_id,
                "change": change, **details}

    def rent_on(self, day: str) -> dict[str, Any]:
        """The rent segment in force on ``day`` (the first one before the term starts)."""
        started = [segment for segment in self.schedule if segment["from"] <= day]
        return started[-1] if started else self.schedule[0]

    def summary(self, as_of: str) -> Row:
        """The lease as a row of the views: rent in force and days to expiry counted from ``as_of``."""
        rent = self.rent_on(as_of)
        return {"lease_id": self.lease_id, "asset_id": self.asset_id, "lessee": self.lessee,
                "signed_on": self.signed_on, "start": self.start, "end": self.end, "ends_on": self.ends_on,
                "terminated": self.terminated_on is not None,
                "rent": rent_row(rent), "annual_rent_fen": annual(rent["amount"], rent["period"]),
                "deposit_fen": self.deposit, "contract_value_fen": self.contract_value(),
                "days_to_expiry": days_between(as_of, self.ends_on)}


def rent_row(rent: dict[str, Any]) -> Row:
    return {"amount_fen": int(rent["amount"]), "period": rent["period"]}


def lease_states(facts: Iterable[Fact], day: str) -> dict[str, LeaseState]:
    """Every lease signed by ``day``, as its later events effective by ``day`` leave it (effective order).

    A later event dated before the signing (the ledger allows it) still applies to the lease.
    """
    known = [f for f in facts if f.kind in LEASE_TYPES and f.effective_date <= day]
    states: dict[str, LeaseState] = {}
    for fact in known:
        if fact.kind == "LeaseSigned":
            states.setdefault(fact.entity_id, LeaseState.signed(fact))
    for fact in by_effective_date(f for f in known if f.kind != "LeaseSigned"):
        if fact.entity_id in states:
            states[fact.entity_id].apply(fact)
    return states


def rent_between(lease: LeaseState, first: str, last: str) -> tuple[int, int]:
    """Rent invoiced and received on the lease with effective dates ``first..last``."""
    invoiced = sum(i["amount"] for i in lease.invoices if first <= i["date"] <= last)
    received = sum(r["amount"] for r in lease.receipts if first <= r["date"] <= last)
    return invoiced, received


def open_invoices(lease: LeaseState) -> tuple[list[Row], int]:
    """The invoices not yet paid in full, and what was received beyond all invoices (unapplied).

    Receipts settle invoices first in, first out by due date; an invoice's due date is its
    ``due``, else the first day of the rent period it bills.
    """
    paid = sum(r["amount"] for r in lease.receipts)
    rows: list[Row] = []
    for invoice in sorted(lease.invoices, key=lambda i: (i["due"], i["position"])):
        settled = min(paid, invoice["amount"])
        paid -= settled
        if invoice["amount"] > settled:
            rows.append({**invoice, "outstanding": invoice["amount"] - settled})
    return rows, paid


def ageing(lease: LeaseState, as_of: str) -> Row:
    """The lease's unpaid rent at ``as_of`` by days past due (0-30, 31-90, 91-180, over 180; not yet due).

    ``arrears_fen`` is what is past due, ``outstanding_fen`` adds what is not yet due, and
    ``unapplied_fen`` is received beyond the invoices known at ``as_of`` (paid in advance).
    """
    row: Row = {"not_due_fen": 0, **{name: 0 for name, _, _ in AGE_BUCKETS}}
    oldest: str | None = None
    invoices, row["unapplied_fen"] = open_invoices(lease)
    for invoice in invoices:
        late = days_between(invoice["due"], as_of)
        if late < 0:
            row["not_due_fen"] += invoice["outstanding"]
            continue
        oldest = min(oldest or invoice["due"], invoice["due"])
        name = next(n for n, low, high in AGE_BUCKETS if low <= late and (high is None or late <= high))
        row[name] += invoice["outstanding"]
    row["arrears_fen"] = sum(row[name] for name, _, _ in AGE_BUCKETS)
    row["outstanding_fen"] = row["arrears_fen"] + row["not_due_fen"]
    row["oldest_due"] = oldest
    return row
