"""A tiny ledger for the audit-view tests: stored records written inline, turned into facts.

``Log`` appends records the way the store holds them (money in fen, dates ISO strings, flags
stamped by the ledger) and gives their facts with ``facts_of``; ``view`` renders one view.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.periods import Period
from ledger.log.canonical import canonical_json
from ledger.log.record import Record
from projections.facts import Fact, facts_of
from projections.views import render
from tests.support.builders import stored_record

ORG_ID = "TC-001"
POLICY = {"threshold": 3_000_000, "matter_codes": [], "mode": "flag"}
ORG = {"org_id": ORG_ID, "name": "城东股份经济合作社", "street": "郯城街道",
       "qualification_cutoff": "2020-12-31", "policy": POLICY}
VIEW_OF_KIND = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


def flag(rule: str, detail: str = "", **values: Any) -> dict[str, Any]:
    return {"rule": rule, "detail": detail or rule, "values": values}


class Log:
    """One CO's records in log order; each ``add`` takes the next position."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def add(self, type_: str, entity_id: str, on: str, data: dict[str, Any], *, flags: list[dict[str, Any]] = (),
            recorded: str | None = None) -> int:
        position = len(self.records) + 1
        self.records.append(stored_record(position, ORG_ID, entity_id, type_, on, f"{recorded or on}T09:00:00+00:00",
                                          data, list(flags)))
        return position

    def facts(self, upto: int | None = None) -> list[Fact]:
        return [f for r in self.records if upto is None or r.position <= upto for f in facts_of(r)]

    # -- shortcuts for the event types the views read -------------------------------------------
    def org(self, on: str = "2023-01-01", policy: dict[str, Any] | None = None) -> int:
        return self.add("OrganizationRegistered", ORG_ID, on, {**{k: ORG[k] for k in ("name", "street")},
                        "qualification_cutoff": "2020-12-31", "policy": policy or POLICY})

    def voucher(self, voucher_id: str, on: str, *lines: tuple[Any, ...], description: str = "",
                recorded: str | None = None, flags: list[dict[str, Any]] = ()) -> int:
        """Lines are (account, side, amount) or (account, side, amount, memo)."""
        stored = [{"account": line[0], "side": line[1], "amount": line[2]} for line in lines]
        for line, row in zip(lines, stored):
            if len(line) > 3:
                row["memo"] = line[3]
        return self.add("VoucherPosted", voucher_id, on, {"description": description or voucher_id, "lines": stored,
                                                          "attachments": 0}, recorded=recorded, flags=flags)

    def reverse(self, reversal_id: str, on: str, voucher_id: str, reason: str = "冲销") -> int:
        return self.add("VoucherReversed", reversal_id, on, {"reverses": voucher_id, "reason": reason})

    def asset(self, asset_id: str, on: str, category: str, book: int, appraised: int | None = None,
              annual_rent: int | None = None, name: str | None = None) -> int:
        data = {"batch_id": "B1", "name": name or asset_id, "category": category, "location": "人民路",
                "book_value": book, "appraised_value": book if appraised is None else appraised}
        if annual_rent is not None:
            data["appraised_annual_rent"] = annual_rent
        return self.add("AssetRegistered", asset_id, on, data)

    def lease(self, lease_id: str, on: str, asset_id: str, start: str, end: str, amount: int, period: str,
              flags: list[dict[str, Any]] = (), **more: Any) -> int:
        data = {"asset_id": asset_id, "lessee": f"lessee of {lease_id}", "start": start, "end": end,
                "rent": {"amount": amount, "period": period}, **more}
        return self.add("LeaseSigned", lease_id, on, data, flags=flags)

    def invoice(self, lease_id: str, on: str, amount: int, first: str, last: str, due: str | None = None) -> int:
        data = {"amount": amount, "period_start": first, "period_end": last, **({"due": due} if due else {})}
        return self.add("RentInvoiced", lease_id, on, data)

    def receive(self, lease_id: str, on: str, amount: int) -> int:
        return self.add("RentReceived", lease_id, on, {"amount": amount, "method": "bank_transfer"})

    def adopted(self, resolution_id: str, on: str, body: str = "congress", major: bool = True) -> None:
        self.add("MotionVoted", resolution_id, on, {"meeting_id": "M1", "motion": resolution_id, "major": major,
                                                    "votes_for": 10, "votes_against": 0, "abstentions": 0})
        self.add("ResolutionAdopted", resolution_id, on, {"body": body, "major": major, "seats": 12, "present": 11,
                                                          "votes_for": 10, "votes_needed": 8, "quorum_needed": 8})

    def matter(self, matter_id: str, on: str, subject_id: str, filed_on: str | None = None) -> None:
        self.add("MajorMatterReported", matter_id, on, {"matter_code": "资产租赁", "subject": subject_id,
                                                        "subject_id": subject_id})
        if filed_on:
            self.add("MajorMatterFiled", matter_id, filed_on,
                     {"filed_by": "郯城街道农经站", "filing_number": f"BA-{matter_id}"})


def view(log: Log, period_text: str, upto: int | None = None) -> dict[str, Any]:
    period = Period.parse(period_text)
    return render(VIEW_OF_KIND[period.kind], ORG, period, log.facts(upto))


def canonical(value: Any) -> bytes:
    return canonical_json(value)


def json_kinds(value: Any, path: str = "$") -> list[str]:
    """Every place in ``value`` that is not canonical-JSON ready (floats, tuples, non-str keys...)."""
    if isinstance(value, dict):
        bad = [f"{path}: key {k!r}" for k in value if not isinstance(k, str)]
        return bad + [p for k, v in value.items() for p in json_kinds(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in json_kinds(v, f"{path}[{i}]")]
    if value is None or isinstance(value, (str, bool, int)) and not isinstance(value, float):
        return []
    return [f"{path}: {type(value).__name__} {value!r}"]


def test_the_tiny_ledger_turns_records_into_facts_in_log_order() -> None:
    log = Log()
    log.org()
    log.voucher("V1", "2025-01-05", ("102", "debit", 100), ("301", "credit", 100))
    facts = log.facts()
    assert [(f.position, f.seq, f.kind) for f in facts] == [(1, 0, "OrganizationRegistered"), (2, 0, "journal"),
                                                            (2, 1, "journal")]
    assert json_kinds({"a": [1, "x", None, True]}) == [] and json_kinds({"a": 0.5}) == ["$.a: float 0.5"]
