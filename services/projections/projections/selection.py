"""Which facts a view reads: the facts of its period one by one, the earlier journal as sums.

A view of (CO, period) needs every fact of its period, but of the years before only what makes
its opening figures and the state it carries forward (leases, assets, members, matters). This
module says which, per view (``READS``), and ``select_facts`` makes that selection from a CO's
facts in Python; the read model makes the same selection in SQL (``store.read_selection``), so a
view reads hundreds of rows instead of the CO's whole history. The views give the same bytes
from the selection as from all the facts (tested), because:

- journal lines dated before the period start are read only through sums over date ranges bounded
  by the period start and by January 1 of the period's year and of the year before (opening
  balances, the year's result, retained earnings); so they are replaced by one ``journal`` fact
  per (account, year) from January 1 of the year before on, and one per account before it, each
  dated at the earliest line it sums, with voucher id "" (``opening_facts``);
- the lines of a voucher that a reversal cites stay one by one (the reversal's lines are the cited
  voucher's with the sides swapped, and its date and amount are shown);
- the CO's settings (``ORG_TYPES``) are read whatever their date, as ``audit.org_of`` does, and so are
  findings and rectifications (``FINDING_KINDS``: they concern the period they name);
- other kinds before the start are kept when the view carries them forward (``Reads.earlier``),
  and only the kinds the view reads (``Reads.kinds``) are kept at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ledger.domain.periods import Period
from projections.facts import Fact
from projections.views.assets import ASSET_TYPES
from projections.views.bookings import BOOKING_KINDS
from projections.views.common import FINDING_KINDS
from projections.views.reconcile import RECONCILED_KINDS
from projections.views.compliance import COMPLIANCE_KINDS
from projections.views.leasing import LEASE_TYPES

ORG_TYPES = ("OrganizationRegistered", "MajorMatterPolicySet", "QualificationCutoffSet")
"""Event types whose facts hold the CO's settings (read from the whole prefix)."""

OPENING_TYPE = "OpeningSums"
"""The type of a fact that sums earlier journal lines (never an event type)."""


@dataclass(frozen=True)
class Reads:
    """What one view reads of the facts effective by its period end (beside the settings, always read)."""

    kinds: frozenset[str] | None = None
    """The kinds of facts the view reads at all; None: every kind."""
    earlier: frozenset[str] | None = None
    """Of those, the kinds (other than journal) it reads one by one before the period start; None: all."""

    def reads(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    def reads_earlier(self, kind: str) -> bool:
        return self.reads(kind) and (self.earlier is None or kind in self.earlier)


READS: dict[str, Reads] = {
    # its period's facts (every kind: late entries), the reversals with the lines they cite, opening sums
    # and what the reconciliations of rules v2 sum up to the month end: the events that book lines of their
    # own (closings, depreciation, opening entries), the asset register, rents, distributions, dividends
    "monthly": Reads(earlier=frozenset({"reversal", *BOOKING_KINDS, *ASSET_TYPES, *RECONCILED_KINDS})),
    # leases and rents, assets, major matters and their resolutions and filings, flags: no books
    "quarterly": Reads(kinds=frozenset(LEASE_TYPES) | frozenset(ASSET_TYPES) | COMPLIANCE_KINDS | {"flag"}),
    # everything, the earlier journal as sums
    "yearly": Reads(),
}


def opening_boundary(period: Period) -> str:
    """January 1 of the year before the period's: earlier journal lines are summed per account only."""
    return f"{period.start.year - 1}-01-01"


def bucket_of(effective_date: str, boundary: str) -> str:
    """The year ("2024") of a line dated from ``boundary`` on; "" before it."""
    return "" if effective_date < boundary else effective_date[:4]


def opening_facts(sums: Iterable[tuple[str, str, str, int, int]]) -> list[Fact]:
    """The summing facts of (bucket, account, earliest date, debit, credit) rows, in (bucket, account) order."""
    return [Fact(position=0, seq=seq, kind="journal", type=OPENING_TYPE, entity_id="", effective_date=first,
                 recorded_at="", account=account, debit=debit, credit=credit, attrs={"memo": ""})
            for seq, (_, account, first, debit, credit) in enumerate(sorted(sums, key=lambda s: (s[0], s[1])))]


def cited_vouchers(facts: Iterable[Fact]) -> set[str]:
    """The vouchers the reversals among ``facts`` cite."""
    return {str(f.attrs.get("reverses", "")) for f in facts if f.kind == "reversal"}


def select_facts(view: str, period: Period, facts: Sequence[Fact]) -> list[Fact]:
    """The facts ``view`` reads of ``period`` from all the CO's facts known (any order in, log order out)."""
    reads = READS[view]
    start, end = period.start.isoformat(), period.end.isoformat()
    boundary = opening_boundary(period)
    journal = reads.reads("journal")
    cited = cited_vouchers(f for f in facts if f.effective_date <= end and reads.reads("reversal"))
    kept: list[Fact] = []
    sums: dict[tuple[str, str], list] = {}
    for f in facts:
        if f.type in ORG_TYPES:
            kept.append(f)
        elif (f.effective_date > end and f.kind not in FINDING_KINDS) or not reads.reads(f.kind):
            continue
        elif f.effective_date >= start:
            kept.append(f)
        elif f.kind == "journal":
            if f.entity_id in cited:
                kept.append(f)
            elif journal:
                row = sums.setdefault((bucket_of(f.effective_date, boundary), f.account),
                                      [f.effective_date, 0, 0])
                row[0], row[1], row[2] = min(row[0], f.effective_date), row[1] + f.debit, row[2] + f.credit
        elif reads.reads_earlier(f.kind):
            kept.append(f)
    kept.sort(key=lambda f: (f.position, f.seq))
    return opening_facts((b, a, first, d, c) for (b, a), (first, d, c) in sums.items()) + kept
