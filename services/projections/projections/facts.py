"""Facts: what the audit views are computed from, extracted from each stored record alone.

``facts_of(record)`` is pure and looks at one record only, so the facts of a log prefix are
the facts of its records: the incremental projector, a full rebuild and an on-demand replay
produce the same facts, and the views, a pure function of facts, the same bytes.

Kinds: ``journal`` (one per voucher line: account, debit, credit in fen), ``reversal`` (a
VoucherReversed: attrs.reverses names the voucher whose lines it cancels, red-ink style, at
its own effective date), ``flag`` (one per flag the ledger stamped on an event), and for every
other event one fact whose kind is the event type and whose attrs are its data (stored form).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.log.canonical import canonical_json
from ledger.log.record import Record


@dataclass(frozen=True, order=True)
class Fact:
    """One row of the read model; ordered by (position, seq) = log order."""

    position: int
    seq: int
    kind: str
    type: str
    entity_id: str
    effective_date: str
    recorded_at: str
    account: str = ""
    debit: int = 0
    credit: int = 0
    attrs: dict[str, Any] = field(default_factory=dict, compare=False)

    def attrs_json(self) -> str:
        return canonical_json(self.attrs).decode("utf-8")


def facts_of(record: Record) -> list[Fact]:
    """The facts one stored record contributes (stored form: money in fen, dates ISO strings)."""
    base = {
        "position": record.position,
        "type": record.type,
        "entity_id": record.entity_id,
        "effective_date": record.effective_date,
        "recorded_at": record.recorded_at,
    }
    data = record.data
    facts: list[Fact] = []
    if record.type == "VoucherPosted":
        for line in data["lines"]:
            amount = int(line["amount"])
            facts.append(Fact(seq=len(facts), kind="journal", account=str(line["account"]),
                              debit=amount if line["side"] == "debit" else 0,
                              credit=amount if line["side"] == "credit" else 0,
                              attrs={"memo": line.get("memo") or data.get("description", ""),
                                     "voucher": record.entity_id}, **base))
    elif record.type == "VoucherReversed":
        facts.append(Fact(seq=0, kind="reversal", attrs=dict(data), **base))
    else:
        facts.append(Fact(seq=0, kind=record.type, attrs=dict(data), **base))
    for flag in record.flags or []:
        facts.append(Fact(seq=len(facts), kind="flag", attrs={**flag, "type": record.type}, **base))
    return facts


def facts_of_records(records: list[Record]) -> list[Fact]:
    """The facts of many records, in log order."""
    return [fact for record in records for fact in facts_of(record)]
