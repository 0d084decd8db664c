"""Entity: the base of every aggregate a CO keeps (asset, lease, member, voucher...).

Every event of an entity carries the same envelope, stamped by the ledger:
``org_id``, ``entity_id``, ``effective_date`` (ISO date, from the client: when it happened),
``actor`` (the token's subject), ``idempotency_key``, ``schema_version`` and ``flags``
(rules the CO's policy flags rather than refuses). The recorded time is the event's
``timestamp``; the global position is the notification id the store assigns.
The event's own facts are ``data``: a JSON object, money in integer fen.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

ENTITY_NAMESPACE = UUID("6f1f3c52-5a0e-4a53-9a55-2f6e4b1c0d01")

ENVELOPE_FIELDS = (
    "org_id",
    "entity_id",
    "effective_date",
    "actor",
    "idempotency_key",
    "schema_version",
    "flags",
)


@lru_cache(maxsize=1 << 18)
def entity_uuid(org_id: str, entity_id: str) -> UUID:
    """The aggregate id of a CO's entity: the same (CO, id) always gives the same UUID."""
    return uuid5(ENTITY_NAMESPACE, f"{org_id}\x1f{entity_id}")


class Entity(Aggregate):
    """Something a CO keeps a record of, identified by the CO's own id for it."""

    KIND: ClassVar[str] = "entity"
    # Attributes are set in the creating event (see _identify); class-level annotations would
    # make the library treat them as constructor fields, so there are none here.

    @staticmethod
    def create_id(envelope: dict[str, Any], data: dict[str, Any]) -> UUID:
        """Derive the aggregate id from the CO and the CO's own identifier."""
        return entity_uuid(envelope["org_id"], envelope["entity_id"])

    def _identify(self, envelope: dict[str, Any]) -> None:
        """Set the identity every entity carries; call first in a creating event."""
        self.org_id = envelope["org_id"]
        self.entity_id = envelope["entity_id"]
        self.opened_on = envelope["effective_date"]

    def summary(self) -> dict[str, Any]:
        """The entity's current state as JSON-ready data (public attributes only)."""
        return {
            key: value
            for key, value in sorted(vars(self).items())
            if not key.startswith("_") and isinstance(value, (str, int, bool, list, dict, type(None)))
        }
