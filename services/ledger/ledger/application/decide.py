"""The decision: one function runs every check of a requested event, then its handler's rules.

catalogue entry -> author -> payload contract -> the CO exists -> the period is open -> identity
and version -> references -> the handler (the rules) -> the entity's new events. ``decide`` is the
only place these checks are written; the production context (``adapters/sql/batch_context``) and the
unit tests' dict-backed fake (``tests/support/fakes``) both run it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from ledger.application.ports import DecisionContext
from ledger.domain import catalog
from ledger.domain.errors import Conflict, RuleViolation


@dataclass(frozen=True)
class EventRequest:
    """One event a client asks to append."""

    type: str
    entity_id: str
    effective_date: date
    data: dict[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True)
class Decision:
    """What one request decided: its new events, and the (field, target id) citations it makes."""

    event_type: catalog.EventType
    events: list[Any]
    cited: list[tuple[str, str]]


def decide(context: DecisionContext, actor: str, idempotency_key: str | None, request: EventRequest,
           author: str) -> Decision:
    """Check one request against the catalogue and the rules; return its new events and citations."""
    event_type = catalog.CATALOG.get(request.type)
    if event_type is None:
        if request.type in catalog.DERIVED:
            raise RuleViolation("derived-event-type", f"{request.type} is recorded by the ledger itself: "
                                f"{catalog.DERIVED[request.type]}", type=request.type)
        raise RuleViolation("unknown-event-type", f"unknown event type {request.type!r}", type=request.type,
                            known=sorted(catalog.CATALOG))
    if event_type.author != author:
        raise RuleViolation("event-author", f"{request.type} is appended by an {event_type.author}, "
                            f"not by a {author}", type=request.type, author=event_type.author)
    try:
        payload = event_type.payload.model_validate(request.data)
    except ValidationError as exc:
        raise RuleViolation("payload-schema", f"{request.type} data is invalid: {_errors(exc)}",
                            type=request.type, errors=_error_list(exc)) from None
    context.effective_date = request.effective_date.isoformat()
    if not event_type.creates_organization:
        context.organization()
        context.refuse_if_closed(context.effective_date)
    entity = context.entity(request.entity_id)
    check_identity(event_type, entity, request)
    cited = check_references(context, event_type, payload)
    envelope = {
        "org_id": context.org_id,
        "entity_id": request.entity_id,
        "effective_date": request.effective_date.isoformat(),
        "actor": actor,
        "idempotency_key": idempotency_key,
        "schema_version": event_type.version,
        "flags": [],
    }
    changed = event_type.handler(context, entity, envelope, payload)
    context.keep(changed)
    context.cite((target, event_type.entity.KIND, request.entity_id) for _, target in cited)
    return Decision(event_type, list(changed.collect_events()), cited)


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


def check_references(context: DecisionContext, event_type: catalog.EventType, payload: Any) -> list[tuple[str, str]]:
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


def _error_list(exc: ValidationError) -> list[dict[str, Any]]:
    """Each error's place and message, and the rule it breaks when a value type names one (money-format...)."""
    errors = []
    for e in exc.errors():
        row = {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]}
        rule = getattr((e.get("ctx") or {}).get("error"), "rule", None)
        errors.append({**row, "rule": rule} if rule else row)
    return errors


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{e['loc']}: {e['msg']}" + (f" ({e['rule']})" if "rule" in e else "")
                     for e in _error_list(exc))
