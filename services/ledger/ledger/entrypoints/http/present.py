"""Records as the API shows them: money back in yuan strings where the type's contract knows it."""
from __future__ import annotations

from typing import Any

from ledger.domain.catalog import CATALOG
from ledger.log.record import Record


def present(record: Record) -> dict[str, Any]:
    """The record as the API shows it: money back in yuan strings where the type's contract knows it."""
    event_type = CATALOG.get(record.type)
    if event_type is None or event_type.version != record.schema_version:
        return record.as_dict()
    data = event_type.payload.from_stored(record.data).model_dump(mode="json", exclude_none=True)
    return {**record.as_dict(), "data": data}
