"""Major-matter compliance (重大事项): every lease, tender and disposal at or above the threshold.

The value of an act is computed as the domain's handler computed it when the act was appended:
from the lease or asset as the log left it just before (log order), with the threshold of the
CO's policy in force at that point of the log (the ``org`` settings when the log has none). The
resolution and the filing are judged as the view knows them, by the domain's rules: an adopted
resolution of the congress or representatives, decided as a major matter, not after the act;
a major-matter report filed by the street, about the act's lease, asset or tender.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from ledger.contracts.organization import DEFAULT_THRESHOLD_FEN
from ledger.domain.governance import DECIDING_BODIES
from ledger.domain.leases import amended_schedule, day_after
from ledger.domain.rent_schedule import periods_in, schedule_value
from projections.facts import Fact
from projections.views.assets import AssetState, apply_change, registered_state
from projections.views.common import Row, within
from projections.views.leasing import LeaseState

COMPLIANCE_KINDS = frozenset({
    "OrganizationRegistered", "MajorMatterPolicySet", "LeaseSigned", "LeaseAmended", "LeaseRenewed", "LeaseTerminated",
    "AssetRegistered", "AssetRevalued", "AssetTransferred", "AssetDisposed", "MotionVoted", "ResolutionAdopted",
    "ResolutionRejected", "MajorMatterReported", "MajorMatterFiled", "TenderAwarded", "flag"})
"""The kinds of facts ``major_matters`` reads (what ``LogState.apply`` follows, the acts, the flags)."""

ACTS = {"LeaseSigned": "lease_signed", "LeaseAmended": "lease_amended", "LeaseRenewed": "lease_renewed",
        "TenderAwarded": "tender_awarded", "AssetDisposed": "asset_disposed"}


@dataclass
class LogState:
    """What the log says so far, in log order: leases, assets, resolutions, major matters, threshold."""

    threshold: int
    leases: dict[str, LeaseState] = field(default_factory=dict)
    assets: dict[str, AssetState] = field(default_factory=dict)
    resolutions: dict[str, Row] = field(default_factory=dict)
    matters: dict[str, Row] = field(default_factory=dict)

    def apply(self, fact: Fact) -> None:
        a, kind, entity = fact.attrs, fact.kind, fact.entity_id
        if kind in ("OrganizationRegistered", "MajorMatterPolicySet"):
            self.threshold = int((a.get("policy") or {}).get("threshold", DEFAULT_THRESHOLD_FEN))
        elif kind == "LeaseSigned":
            self.leases.setdefault(entity, LeaseState.signed(fact))
        elif kind in ("LeaseAmended", "LeaseRenewed", "LeaseTerminated") and entity in self.leases:
            self.leases[entity].apply(fact)
        elif kind == "AssetRegistered":
            self.assets.setdefault(entity, registered_state(fact))
        elif kind in ("AssetRevalued", "AssetTransferred", "AssetDisposed") and entity in self.assets:
            apply_change(self.assets[entity], fact)
        elif kind == "MotionVoted":
            self.resolutions[entity] = {"status": "voted", "body": None, "major": bool(a.get("major")),
                                        "decided_on": None, "motion": a.get("motion")}
        elif kind in ("ResolutionAdopted", "ResolutionRejected") and entity in self.resolutions:
            self.resolutions[entity].update(status="adopted" if kind == "ResolutionAdopted" else "rejected",
                                            body=a.get("body"), major=bool(a.get("major")),
                                            decided_on=fact.effective_date)
        elif kind == "MajorMatterReported":
            self.matters[entity] = {"status": "reported", "subject_id": a.get("subject_id"), "filed_on": None,
                                    "filing_number": None, "matter_code": a.get("matter_code")}
        elif kind == "MajorMatterFiled" and entity in self.matters:
            self.matters[entity].update(status="filed", filed_on=fact.effective_date,
                                        filing_number=a.get("filing_number"))

    def value_of(self, fact: Fact) -> tuple[int, tuple[str, ...]] | None:
        """The act's value as its handler computed it, and the ids a filing may concern (None: unknown subject)."""
        a = fact.attrs
        if fact.kind == "LeaseSigned":
            rent = a["rent"]
            value = rent["amount"] * periods_in(date.fromisoformat(a["start"]), date.fromisoformat(a["end"]),
                                                rent["period"])
            return value, (fact.entity_id, a["asset_id"])
        if fact.kind == "TenderAwarded":
            return int(a["amount"]), tuple(i for i in (fact.entity_id, a.get("asset_id")) if i)
        if fact.kind == "AssetDisposed":
            asset = self.assets.get(fact.entity_id)
            if asset is None:
                return None
            return max(int(a.get("proceeds") or 0), asset.appraised_value, asset.book_value), (fact.entity_id,)
        lease = self.leases.get(fact.entity_id)
        if lease is None:
            return None
        return _lease_change_value(lease, a, fact.kind), (lease.lease_id, lease.asset_id)


def _lease_change_value(lease: LeaseState, a: dict[str, Any], kind: str) -> int:
    """Contract value of an amended lease (whole term) or of a renewal (the added term)."""
    if kind == "LeaseAmended":
        schedule = amended_schedule(lease.schedule, a["applies_from"], a["rent"]) if "rent" in a else lease.schedule
        return schedule_value(schedule, date.fromisoformat(a.get("end", lease.end)))
    rent = a.get("rent") or lease.schedule[-1]
    first = date.fromisoformat(day_after(lease.end))
    return int(rent["amount"]) * periods_in(first, date.fromisoformat(a["end"]), rent["period"])


def resolution_problem(found: Row | None, resolution_id: str | None, on: str) -> str | None:
    """Why the resolution does not authorize a major matter dated ``on`` (None when it does)."""
    if not resolution_id:
        return "cites no resolution"
    if found is None:
        return f"{resolution_id} is not a resolution of this CO known as of the view"
    if found["status"] != "adopted":
        return f"resolution {resolution_id} was {found['status']}, not adopted"
    if found["body"] not in DECIDING_BODIES:
        return f"resolution {resolution_id} was adopted by the {found['body']}, not the congress or representatives"
    if not found["major"]:
        return f"resolution {resolution_id} was not decided as a major matter (重大事项)"
    if found["decided_on"] and found["decided_on"] > on:
        return f"resolution {resolution_id} was adopted on {found['decided_on']}, after {on}"
    return None


def filing_problem(found: Row | None, filing_id: str | None, subject_ids: tuple[str, ...]) -> str | None:
    """Why the filing is not a filed report about one of ``subject_ids`` (None when it is)."""
    if not filing_id:
        return "cites no filed major-matter report"
    if found is None:
        return f"{filing_id} is not a major matter of this CO known as of the view"
    if found["status"] != "filed":
        return f"major matter {filing_id} was reported but not filed by the street"
    if found["subject_id"] and found["subject_id"] not in subject_ids:
        return f"major matter {filing_id} concerns {found['subject_id']}, not {' or '.join(subject_ids)}"
    return None


def major_matters(facts: Iterable[Fact], org: Row, first: str, last: str) -> list[Row]:
    """Every act effective ``first..last`` valued at or above the threshold, with its resolution and filing."""
    state = LogState(int((org.get("policy") or {}).get("threshold", DEFAULT_THRESHOLD_FEN)))
    flags: dict[int, list[str]] = {}
    acts: list[tuple[Fact, int, int, tuple[str, ...]]] = []
    for fact in facts:
        if fact.kind == "flag":
            flags.setdefault(fact.position, []).append(str(fact.attrs.get("rule")))
        elif fact.kind in ACTS and within(fact.effective_date, first, last):
            valued = state.value_of(fact)
            if valued is not None and valued[0] >= state.threshold:
                acts.append((fact, valued[0], state.threshold, valued[1]))
        state.apply(fact)
    rows = [_act_row(state, fact, value, threshold, subjects, sorted(flags.get(fact.position, [])))
            for fact, value, threshold, subjects in acts]
    return sorted(rows, key=lambda r: (r["date"], r["position"]))


def _act_row(state: LogState, fact: Fact, value: int, threshold: int, subjects: tuple[str, ...],
             flags: list[str]) -> Row:
    resolution_id, filing_id = fact.attrs.get("resolution_id"), fact.attrs.get("filing_id")
    resolution = state.resolutions.get(resolution_id or "")
    matter = state.matters.get(filing_id or "")
    problems = {"resolution": resolution_problem(resolution, resolution_id, fact.effective_date),
                "filing": filing_problem(matter, filing_id, subjects)}
    missing = [piece for piece, problem in problems.items() if problem is not None]
    return {
        "date": fact.effective_date, "position": fact.position, "act": ACTS[fact.kind], "entity_id": fact.entity_id,
        "subject_ids": sorted(subjects), "value_fen": value, "threshold_fen": threshold,
        "resolution": {"resolution_id": resolution_id, "status": resolution["status"] if resolution else None,
                       "body": resolution["body"] if resolution else None,
                       "decided_on": resolution["decided_on"] if resolution else None,
                       "problem": problems["resolution"]},
        "filing": {"filing_id": filing_id, "status": matter["status"] if matter else None,
                   "filed_on": matter["filed_on"] if matter else None,
                   "filing_number": matter["filing_number"] if matter else None, "problem": problems["filing"]},
        "missing": missing, "compliant": not missing, "flags": flags,
    }
