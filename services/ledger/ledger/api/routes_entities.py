"""One entity of a CO: its current state and its whole history."""
from __future__ import annotations

from fastapi import APIRouter

from ..records import present
from .deps import CallerDep, ServicesDep
from .models import EntityOut, EventOut

router = APIRouter(prefix="/v1/orgs/{org_id}/entities", tags=["entities"])


@router.get("/{entity_id}", response_model=EntityOut)
def get_entity(org_id: str, entity_id: str, caller: CallerDep, services: ServicesDep) -> EntityOut:
    """An entity's current state (amounts in fen) and version."""
    org = services.reader.organization(org_id)
    caller.require_read(org_id, org["street"])
    entity = services.reader.entity(org_id, entity_id)
    return EntityOut(org_id=org_id, entity_id=entity_id, kind=entity.KIND, version=entity.version,
                     state=entity.summary())


@router.get("/{entity_id}/history", response_model=list[EventOut])
def get_history(org_id: str, entity_id: str, caller: CallerDep, services: ServicesDep) -> list[EventOut]:
    """Every event of the entity, in log order."""
    org = services.reader.organization(org_id)
    caller.require_read(org_id, org["street"])
    services.reader.entity(org_id, entity_id)
    records = services.reader.records(org_ids=[org_id], entity_id=entity_id, limit=100_000)
    return [EventOut.model_validate(present(r)) for r in records]
