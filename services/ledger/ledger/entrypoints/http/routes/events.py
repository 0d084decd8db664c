"""Appending a CO's events, paging them, and the global feed."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from ledger.application.append import EventRequest
from ledger.entrypoints.http.deps import CallerDep, ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.events import (
    AppendIn,
    AppendOut,
    EventOut,
    EventPage,
)
from ledger.entrypoints.http.models.params import (
    IDEMPOTENCY_KEY_PATTERN,
    After,
    EntityFilter,
    Limit,
    OrgIdPath,
    TypeFilter,
)
from ledger.entrypoints.http.models.problem import AUTHENTICATED, WITH_BODY, problem_responses
from ledger.entrypoints.http.present import present
from ledger.log.canonical import canonical_sha256
from ledger.log.record import Record

router = APIRouter(tags=["events"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=128, pattern=IDEMPOTENCY_KEY_PATTERN,
           description="Same key and body: the original response, nothing stored twice."),
]


@router.post("/v1/orgs/{org_id}/events", status_code=status.HTTP_201_CREATED, response_model=AppendOut,
             responses=problem_responses(*AUTHENTICATED, *WITH_BODY, 404, 409))
def append_events(org_id: OrgIdPath, body: AppendIn, caller: CallerDep, services: ServicesDep,
                  idempotency_key: IdempotencyKey = None) -> Response:
    """Append 1..1000 events of one CO, all or nothing; the response is a signed receipt."""
    caller.require_append(org_id)
    services.reader.organization(org_id)
    requests = [EventRequest(e.type, e.entity_id, e.effective_date, e.data, e.expected_version) for e in body.events]
    request_hash = canonical_sha256(body.model_dump(mode="json"))
    outcome = services.appender.append(org_id, caller.subject, requests, idempotency_key, request_hash)
    # the receipt as its model's own JSON (pydantic, in one pass), not FastAPI's validate-dump-encode of it
    return Response(AppendOut.model_validate(outcome.body).model_dump_json(), status_code=status.HTTP_201_CREATED,
                    media_type="application/json",
                    headers={"Idempotent-Replayed": "true"} if outcome.replayed else None)


@router.get("/v1/orgs/{org_id}/events", response_model=EventPage,
            responses=problem_responses(*AUTHENTICATED, 404, 422))
def list_events(org_id: OrgIdPath, org: ReadableOrg, services: ServicesDep, after: After = 0, limit: Limit = 100,
                type: TypeFilter = None, entity_id: EntityFilter = None) -> EventPage:
    """A CO's events in log order, after a position, optionally of one type or entity."""
    records = services.reader.records(org_ids=[org_id], after=after, limit=limit, type=type, entity_id=entity_id)
    return _page(records, limit)


@router.get("/v1/feed", response_model=EventPage, tags=["feed"], responses=problem_responses(*AUTHENTICATED, 422))
def feed(caller: CallerDep, services: ServicesDep, after: After = 0, limit: Limit = 100) -> EventPage:
    """The global feed in log order (auditors see the COs of their jurisdiction)."""
    caller.require_role("auditor", "admin")
    org_ids = None
    if caller.role == "auditor":
        org_ids = [o["org_id"] for o in services.reader.organizations() if caller.may_read(o["org_id"], o["street"])]
    return _page(services.reader.records(org_ids=org_ids, after=after, limit=limit), limit)


def _page(records: list[Record], limit: int) -> EventPage:
    events = [EventOut.model_validate(present(r)) for r in records]
    return EventPage(events=events, next_after=records[-1].position if len(records) == limit else None)
