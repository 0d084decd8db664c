"""Engineering tenders (工程招投标): at or above the threshold, a major matter."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from ledger.contracts.leases import TenderAwarded
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.major_matters import check_major_matter


class Tender(Entity):
    """An engineering project awarded to a contractor."""

    KIND = "tender"

    @event("TenderAwarded")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.project = data["project"]
        self.contractor = data["contractor"]
        self.amount = data["amount"]
        self.bidders = data.get("bidders")
        self.asset_id = data.get("asset_id")
        self.awarded_on = envelope["effective_date"]


def _award(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: TenderAwarded) -> Entity:
    tender_id = envelope["entity_id"]
    subjects = (tender_id, p.asset_id) if p.asset_id else (tender_id,)
    check_major_matter(ctx, envelope, what=f"tender {tender_id} ({p.project}) awarded to {p.contractor}",
                       amount_fen=p.amount, resolution_id=p.resolution_id, filing_id=p.filing_id,
                       subject_ids=subjects)
    return Tender(envelope=envelope, data=p.stored())


register(EventType("TenderAwarded", Tender, TenderAwarded, _award, creates=True,
                   references={"asset_id": "asset", "resolution_id": "resolution", "filing_id": "major_matter"},
                   description="An engineering tender is awarded; at or above the threshold it is a major matter."))
