"""JSON Schemas (2020-12) of every event type's data, generated from the payload contracts."""
from __future__ import annotations

import json

from ledger.domain.catalog import load_catalog

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_of(type_name: str) -> dict[str, object]:
    event_type = load_catalog()[type_name]
    schema = event_type.payload.model_json_schema(mode="validation")
    return {
        "$schema": DIALECT,
        "$id": f"https://audit-ledger.local/schemas/events/{type_name}.v{event_type.version}.json",
        "title": type_name,
        "description": event_type.description or (event_type.payload.__doc__ or "").strip(),
        "x-entity-kind": event_type.entity.KIND,
        "x-schema-version": event_type.version,
        "x-references": event_type.references,
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def render_all() -> dict[str, str]:
    """File name -> file text, for every type in the catalogue."""
    catalog = load_catalog()
    return {
        f"{name}.v{catalog[name].version}.json": json.dumps(schema_of(name), indent=2, ensure_ascii=False) + "\n"
        for name in sorted(catalog)
    }
