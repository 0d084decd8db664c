"""schemas/events is generated from the payload contracts: the committed files must be current."""
from __future__ import annotations

import json
from pathlib import Path

from ledger.domain.catalog import load_catalog
from ledger.entrypoints.cli.schemas import render_all

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "events"


def test_every_event_type_has_a_current_committed_schema() -> None:
    rendered = render_all()
    assert set(rendered) == {f"{name}.v{t.version}.json" for name, t in load_catalog().items()}
    stale = [name for name, text in rendered.items()
             if not (SCHEMAS / name).exists() or (SCHEMAS / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"run `make schemas` and commit: {stale}"


def test_schemas_declare_2020_12_and_refuse_unknown_fields() -> None:
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema.get("additionalProperties") is False, path.name


def test_money_fields_are_decimal_strings_in_the_schema() -> None:
    schema = json.loads((SCHEMAS / "RentReceived.v1.json").read_text(encoding="utf-8"))
    amount = schema["properties"]["amount"]
    assert amount["type"] == "string" and "pattern" in amount
