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
  dated the first day of the first month it sums, with voucher id "" (``Totals``);
- the yearly view reads earlier share allotments and transfers only as each member's shares at a
  day of the period or later, and every view earlier dividend payments only as sums per
  distribution (and per member for the distributions declared in the period): so they are replaced
  by one fact per member and one per distribution (and member) (``Totals``). The read model keeps
  these totals per month beside its facts, so a view as known now reads them instead of the rows;
- the lines of a voucher that a reversal cites stay one by one (the reversal's lines are the cited
  voucher's with the sides swapped, and its date and amount are shown);
- the CO's settings (``ORG_TYPES``) are read whatever their date, as ``audit.org_of`` does, and so are
  findings and rectifications (``FINDING_KINDS``: they concern the period they name);
- other kinds before the start are kept when the view carries them forward (``Reads.earlier``),
  and only the kinds the view reads (``Reads.kinds``) are kept at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

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


def month_of(effective_date: str) -> str:
    """"2024-03" of "2024-03-17": the grain of the read model's totals."""
    return effective_date[:7]


def cited_vouchers(facts: Iterable[Fact]) -> set[str]:
    """The vouchers the reversals among ``facts`` cite."""
    return {str(f.attrs.get("reverses", "")) for f in facts if f.kind == "reversal"}


def declared_in(facts: Iterable[Fact], period: Period) -> set[str]:
    """The distributions declared within ``period`` (their payments to each member are shown)."""
    start, end = period.start.isoformat(), period.end.isoformat()
    return {f.entity_id for f in facts if f.kind == "DistributionDeclared" and start <= f.effective_date <= end}


def summed_kinds(view: str) -> frozenset[str]:
    """The kinds whose facts before the period ``view`` reads as totals (``Totals``), not one by one."""
    reads = READS[view]
    kinds = {"journal"} if reads.reads("journal") else set()
    if all(reads.reads_earlier(k) for k in SHARE_KINDS):
        kinds.update(SHARE_KINDS)
    if reads.reads_earlier("DividendPaid"):
        kinds.add("DividendPaid")
    return frozenset(kinds)


class Totals:
    """The facts standing for earlier facts of the summed kinds: each a total per key, grain a month.

    Contributions come from facts one by one (``add``: ``select_facts`` and the read model's SQL path)
    or as monthly rows of the read model's totals (``add_row``); each (kind, key) keeps its months, so
    a contribution taken back (``add(f, -1)``: a cited voucher's line, read one by one) leaves the
    month out when it was its only line. ``facts()`` makes one fact per key, dated the first day of
    its first month, in (kind, key) order at position 0:

    - ``journal`` per (bucket, account), bucket the year from ``opening_boundary`` on and "" before:
      debit and credit (an "OpeningSums" journal fact, voucher "");
    - ``SharesAllotted`` per member: shares allotted and received less passed on (the member's net);
    - ``DividendPaid`` per (distribution, member) for distributions declared in the period, per
      distribution (member "") for the others: the amount paid.
    """

    def __init__(self, period: Period, declared: Iterable[str] = ()) -> None:
        self.boundary = opening_boundary(period)
        self.declared = frozenset(declared)
        self.months: dict[tuple[int, str, str], dict[str, list[int]]] = {}
        """(0 journal | 1 shares | 2 dividends, key, member) -> month -> [debit, credit, lines]."""

    def add_row(self, kind: str, key: str, member: str, month: str, debit: int, credit: int, lines: int) -> None:
        """One monthly total of the read model (``store.totals_table``): kind journal, shares, paid (per
        distribution) or paid_member (per distribution and member; read for the distributions declared in
        the period, whose per-distribution row is then left out)."""
        if kind == "journal":
            self._add((0, bucket_of(f"{month}-01", self.boundary), key), month, debit, credit, lines)
        elif kind == "shares":
            self._add((1, key, ""), month, debit, 0, lines)
        elif kind == "paid" and key not in self.declared:
            self._add((2, key, ""), month, debit, 0, lines)
        elif kind == "paid_member" and key in self.declared:
            self._add((2, key, member), month, debit, 0, lines)

    def add(self, fact: Fact, sign: int = 1) -> None:
        """One fact of a summed kind (``sign`` -1 takes it back)."""
        for kind, key, member, debit, credit in contributions(fact):
            self.add_row(kind, key, member, month_of(fact.effective_date), sign * debit, sign * credit, sign)

    def _add(self, group: tuple[int, str, str], month: str, debit: int, credit: int, lines: int) -> None:
        row = self.months.setdefault(group, {}).setdefault(month, [0, 0, 0])
        row[0], row[1], row[2] = row[0] + debit, row[1] + credit, row[2] + lines

    def facts(self) -> list[Fact]:
        """One fact per (kind, key): journal by (bucket, account), then shares by member, then dividends by
        (distribution, member)."""
        made: list[Fact] = []
        for (order, key, member), months in sorted(self.months.items()):
            held = [m for m, row in months.items() if row[2]]
            if not held:
                continue
            first = f"{min(held)}-01"
            if len(held) == 1:
                debit, credit, _ = months[held[0]]
            else:
                debit, credit = sum(months[m][0] for m in held), sum(months[m][1] for m in held)
            if order == 0:
                made.append(_made(len(made), "journal", "", first, member, debit, credit, {"memo": ""}))
            elif order == 1:
                made.append(_made(len(made), "SharesAllotted", key, first, "", 0, 0, {"shares": debit}))
            else:
                made.append(_made(len(made), "DividendPaid", "", first, "", 0, 0,
                                  {"distribution_id": key, "member_id": member, "amount": debit}))
        return made


def _made(seq: int, kind: str, entity_id: str, effective_date: str, account: str, debit: int, credit: int,
          attrs: dict[str, Any]) -> Fact:
    """A fact of ``Totals`` (what Fact(...) makes, without the frozen dataclass's slow ``__init__``)."""
    fact = object.__new__(Fact)
    fact.__dict__.update(position=0, seq=seq, kind=kind, type=OPENING_TYPE, entity_id=entity_id,
                         effective_date=effective_date, recorded_at="", account=account, debit=debit,
                         credit=credit, attrs=attrs)
    return fact


SHARE_KINDS = ("SharesAllotted", "SharesTransferred")


def contributions(fact: Fact) -> list[tuple[str, str, str, int, int]]:
    """What one fact adds to the totals, as rows (kind, key, member, debit, credit) of ``Totals.add_row``
    and of the read model's totals: journal per account, shares per member, a dividend once per
    distribution (paid) and once per (distribution, member) (paid_member)."""
    if fact.kind == "journal":
        return [("journal", fact.account, "", fact.debit, fact.credit)]
    if fact.kind == "SharesAllotted":
        return [("shares", fact.entity_id, "", int(fact.attrs["shares"]), 0)]
    if fact.kind == "SharesTransferred":
        moved = int(fact.attrs["shares"])
        return [("shares", fact.entity_id, "", -moved, 0), ("shares", str(fact.attrs["to_member_id"]), "", moved, 0)]
    if fact.kind == "DividendPaid":
        distribution, amount = str(fact.attrs["distribution_id"]), int(fact.attrs["amount"])
        return [("paid", distribution, "", amount, 0),
                ("paid_member", distribution, str(fact.attrs["member_id"]), amount, 0)]
    return []


def select_facts(view: str, period: Period, facts: Sequence[Fact]) -> list[Fact]:
    """The facts ``view`` reads of ``period`` from all the CO's facts known (any order in, log order out)."""
    reads = READS[view]
    start, end = period.start.isoformat(), period.end.isoformat()
    summed = summed_kinds(view)
    cited = cited_vouchers(f for f in facts if f.effective_date <= end and reads.reads("reversal"))
    totals = Totals(period, declared_in((f for f in facts if reads.reads(f.kind)), period))
    kept: list[Fact] = []
    for f in facts:
        if f.type in ORG_TYPES:
            kept.append(f)
        elif (f.effective_date > end and f.kind not in FINDING_KINDS) or not reads.reads(f.kind):
            continue
        elif f.effective_date >= start:
            kept.append(f)
        elif f.kind == "journal" and f.entity_id in cited:
            kept.append(f)
        elif f.kind in summed:
            totals.add(f)
        elif reads.reads_earlier(f.kind):
            kept.append(f)
    kept.sort(key=lambda f: (f.position, f.seq))
    return totals.facts() + kept
