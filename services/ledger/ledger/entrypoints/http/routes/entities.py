"""One entity of a CO: its current state and its whole history."""
from __future__ import annotations

from fastapi import APIRouter

from ledger.entrypoints.http.deps import ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.events import EntityOut, EventOut
from ledger.entrypoints.http.models.params import EntityIdPath, OrgIdPath
from ledger.entrypoints.http.models.problem import AUTHENTICATED, problem_responses
from ledger.entrypoints.http.present import present

router = APIRouter(prefix="/v1/orgs/{org_id}/entities", tags=["entities"])


@router.get("/{entity_id}", response_model=EntityOut, responses=problem_responses(*AUTHENTICATED, 404, 422))
def get_entity(org_id: OrgIdPath, entity_id: EntityIdPath, org: ReadableOrg, services: ServicesDep) -> EntityOut:
    """An entity's current state (amounts in fen) and version."""
    entity = services.reader.entity(org_id, entity_id)
    return EntityOut(org_id=org_id, entity_id=entity_id, kind=entity.KIND, version=entity.version,
                     state=entity.summary())


@router.get("/{entity_id}/history", response_model=list[EventOut],
            responses=problem_responses(*AUTHENTICATED, 404, 422))
def get_history(org_id: OrgIdPath, entity_id: EntityIdPath, org: ReadableOrg, services: ServicesDep) -> list[EventOut]:
    """Every event of the entity, in log order."""
    services.reader.entity(org_id, entity_id)
    records = services.reader.records(org_ids=[org_id], entity_id=entity_id, limit=100_000)
    return [EventOut.model_validate(present(r)) for r in records]
