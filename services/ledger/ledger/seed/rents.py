"""Rents of a lease: invoiced each period, received on time, late or never, and booked by voucher.

Every receipt gets its voucher (bank 102 debit, operating income 501 credit) on the day it comes in.
Now and then a voucher is posted with a wrong amount, reversed a few days later and posted again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ledger.domain.rent_schedule import PERIOD_MONTHS, add_months
from ledger.seed.chronicle import HISTORY_END, Chronicle, days, month_label, yuan

LATE = 0.10
"""Share of rents paid weeks after they fell due."""
MISTAKES = 0.015
"""Share of rent vouchers posted with a wrong amount, then reversed and posted again."""


@dataclass
class Lease:
    """A lease as the generator knows it: term, rent segments, and how its rents will go."""

    lease_id: str
    asset_name: str
    lessee: str
    start: date
    end: date
    period: str
    segments: list[tuple[date, int]] = field(default_factory=list)
    """(first day, rent per period in fen) of each rent in force, in order."""
    unpaid_from: date | None = None
    """Periods starting on or after this day are never paid (arrears)."""
    last_day: date | None = None
    """Set when the lease is ended early (terminated): no rent after it."""

    def rent_on(self, day: date) -> int:
        return [amount for first, amount in self.segments if first <= day][-1]

    def periods(self) -> list[tuple[date, date]]:
        """(first, last day) of each rent period inside the term and the history (2023-2025)."""
        months = PERIOD_MONTHS[self.period]
        stop = min(self.last_day or self.end, HISTORY_END)
        found, n = [], 0
        while (first := add_months(self.start, n * months)) <= stop:
            found.append((first, min(add_months(self.start, (n + 1) * months) - days(1), self.last_day or self.end)))
            n += 1
        return found


def collect(chronicle: Chronicle, lease: Lease) -> None:
    """Invoice every period of the lease; receive and book what is paid."""
    for number, (first, last) in enumerate(lease.periods(), start=1):
        amount = lease.rent_on(first)
        due = first + days(29 if lease.period == "yearly" else 9)
        chronicle.add("RentInvoiced", lease.lease_id, first, amount=yuan(amount), period_start=first.isoformat(),
                      period_end=last.isoformat(), due=due.isoformat(), invoice_no=f"{lease.lease_id}-{number:02d}")
        if chronicle.books_2023:  # accrual: the invoice is income and a receivable
            chronicle.voucher(first, f"确认{lease.lessee}{lease.asset_name}应收租金",
                              [("112", "debit", amount), ("501", "credit", amount)])
            chronicle.income[first.year] += amount
        if lease.unpaid_from is not None and first >= lease.unpaid_from:
            continue
        _receive(chronicle, lease, first, last, due, amount)


def _receive(chronicle: Chronicle, lease: Lease, first: date, last: date, due: date, amount: int) -> None:
    rng = chronicle.rng
    late = rng.random() < LATE
    on = due + days(rng.randint(10, 60)) if late else max(first, due - days(rng.randint(0, 7)))
    if on > HISTORY_END or (lease.last_day is not None and on > lease.last_day):
        return
    label = month_label(first) if lease.period == "monthly" else f"{first.isoformat()}至{last.isoformat()}"
    extra = {"note": f"逾期补交{label}租金（应于{due.month}月{due.day}日前缴纳）"} if late else {}
    chronicle.add("RentReceived", lease.lease_id, on, amount=yuan(amount), receipt_no=chronicle.serial("SJ", 6),
                  method=rng.choice(("bank_transfer", "bank_transfer", "cash")), **extra)
    description = f"收{lease.lessee}{lease.asset_name}{label}租金"
    book_rent(chronicle, on, description, amount)


def book_rent(chronicle: Chronicle, on: date, description: str, amount: int) -> None:
    """The rent's voucher; sometimes first with a wrong amount, reversed and posted again.

    Cash basis (Dr 102 Cr 501) in the legacy profile; in the 2023 one the receipt clears the receivable
    (Dr 102 Cr 112), the income having been booked with the invoice.
    """
    rng = chronicle.rng
    credit = "112" if chronicle.books_2023 else "501"
    if rng.random() < MISTAKES and on + days(3) <= HISTORY_END and amount >= 1000:
        wrong, why = (amount * 10, "多记一位") if rng.random() < 0.5 else (amount // 10, "少记一位")
        mistaken = chronicle.voucher(on, description, [("102", "debit", wrong), (credit, "credit", wrong)])
        on = on + days(rng.randint(1, 3))
        chronicle.reverse(on, mistaken, f"金额录入错误（{why}），红字冲销后重新入账")
    chronicle.voucher(on, description, [("102", "debit", amount), (credit, "credit", amount)])
    if not chronicle.books_2023:
        chronicle.income[on.year] += amount
