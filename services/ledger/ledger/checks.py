"""The checks every requested event passes before its handler's rules: identity, version, references."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .context import BatchContext
from .domain import catalog
from .domain.errors import Conflict, RuleViolation

if TYPE_CHECKING:
    from .appending import EventRequest


def version_error(request: EventRequest, actual: int) -> Conflict:
    return Conflict("version-conflict",
                    f"entity {request.entity_id} is at version {actual}, the event expected {request.expected_version}",
                    entity_id=request.entity_id, expected_version=request.expected_version, actual_version=actual)


def check_identity(event_type: catalog.EventType, entity: Any, request: EventRequest) -> None:
    """Creating events need a new id; others an existing entity of the right kind and version."""
    if event_type.creates and entity is not None:
        raise Conflict("entity-exists", f"{request.entity_id} already exists (a {entity.KIND}, version "
                       f"{entity.version}); {request.type} creates a new entity",
                       entity_id=request.entity_id, kind=entity.KIND, version=entity.version)
    if not event_type.creates and entity is None:
        raise RuleViolation("entity-exists", f"{request.type} needs an existing {event_type.entity.KIND} "
                            f"{request.entity_id!r}; there is none in this CO",
                            entity_id=request.entity_id, kind=event_type.entity.KIND)
    if entity is not None and entity.KIND != event_type.entity.KIND:
        raise RuleViolation("entity-kind", f"{request.entity_id} is a {entity.KIND}; {request.type} applies to a "
                            f"{event_type.entity.KIND}", entity_id=request.entity_id, kind=entity.KIND,
                            expected_kind=event_type.entity.KIND)
    actual = entity.version if entity is not None else 0
    if request.expected_version is not None and request.expected_version != actual:
        raise version_error(request, actual)


def check_references(context: BatchContext, event_type: catalog.EventType, payload: Any) -> list[tuple[str, str]]:
    """Every cited id must name an entity of the right kind in the same CO."""
    cited = []
    for field_name, kind in event_type.references.items():
        value = getattr(payload, field_name, None)
        targets = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        for target in targets:
            found = context.entity(target)
            if found is None or (kind != "*" and found.KIND != kind):
                what = "nothing" if found is None else f"a {found.KIND}"
                raise RuleViolation("reference-exists", f"{field_name} {target!r} must be a {kind} of this CO; "
                                    f"it is {what}", field=field_name, reference=target, expected_kind=kind)
            cited.append((field_name, target))
    return cited


def cited_ids(requests: list[EventRequest]) -> set[str]:
    """The ids the requests' payloads cite, read from the raw data (a prefetch hint: validation comes later)."""
    cited: set[str] = set()
    for request in requests:
        event_type = catalog.CATALOG.get(request.type)
        for field_name in event_type.references if event_type is not None else ():
            value = request.data.get(field_name) if isinstance(request.data, dict) else None
            for target in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(target, str) and target:
                    cited.add(target)
    return cited
