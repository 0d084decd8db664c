"""What the appender keeps between batches: entities that never change (``FinalEntities``), and the
stored events of a CO's entities while the CO's log does not move (``StoredEvents``).

A batch reconstructs every entity it names or cites from its stored events (``BatchContext._load``):
a dividend batch reads a thousand members, most of which the previous batch read too. This cache
keeps the events of each entity read (or the fact that it has none) together with the version of
the CO's log they were read at: its size and its latest signed checkpoint. The log grows with
every event of the CO, whoever appends it, and each append signs a new checkpoint (its root and
time), so the pair names one state of the whole CO; a log that went back (a restore) and grew
again to the same size has another checkpoint. An append holds the CO's lock and reads the log's
head first (``Appender._append_once``): if its version is the one the cache was filled at, nothing
of the CO changed since and every kept entry is current; otherwise the CO's entries are dropped.
After a commit, the entities the batch had read get its new events as stored (decoded from those
bytes when first read again, as a read from the store would), and all move on to the new version
(``advanced``).

Events, not entities, are kept: an entity is rebuilt from them for each batch (``_project``), so a
batch that changes its copy and then fails leaves nothing behind here. Thread-safe: batches of
different COs may use it at once; batches of one CO never do (the CO's lock).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable, Sequence

from ledger.domain.entity import Entity

ENTRY_BYTES = 64
"""What an entry costs besides its events' stored bytes (an entity with none costs this)."""


class CoEvents:
    """One CO's kept entries: entity id -> its stored events in version order (empty: no such entity)."""

    def __init__(self, version: Hashable) -> None:
        self.version = version
        """The version of the CO's log the entries are current at: (size, latest checkpoint)."""
        self.entries: dict[str, Sequence[Any]] = {}
        self.stored_bytes: dict[str, int] = {}
        """entity id -> the size of its kept events as stored."""
        self.bytes = 0
        """The stored bytes of the events kept, plus ENTRY_BYTES an entry."""

    def keep(self, entity_id: str, events: Sequence[Any], stored_bytes: int | None = None) -> None:
        """Keep an entity's events; ``stored_bytes``: their size as stored (None: as kept before)."""
        size = self.stored_bytes.get(entity_id, 0) if stored_bytes is None else stored_bytes
        self.drop(entity_id)
        self.entries[entity_id] = tuple(events)
        self.stored_bytes[entity_id] = size
        self.bytes += size + ENTRY_BYTES

    def drop(self, entity_id: str) -> None:
        if self.entries.pop(entity_id, None) is not None:
            self.bytes -= self.stored_bytes.pop(entity_id) + ENTRY_BYTES


class StoredEvents:
    """Per CO, the events its entities were rebuilt from, valid at one version of the CO's log; at most
    ``limit`` stored bytes in all (checked when a batch starts; decoded events take about 4 times as
    much memory), the COs used longest ago dropped first."""

    def __init__(self, limit: int = 25_000_000) -> None:
        self.limit = limit
        self._cos: OrderedDict[str, CoEvents] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, org_id: str, version: Hashable) -> CoEvents:
        """The CO's entries current at ``version`` of its log: those kept, if the log has not moved; else none."""
        with self._lock:
            kept = self._cos.get(org_id)
            if kept is None or kept.version != version or kept.bytes > self.limit:
                kept = self._cos[org_id] = CoEvents(version)  # moved, or this CO alone is over the limit
            self._cos.move_to_end(org_id)
            while len(self._cos) > 1 and self.bytes() > self.limit:
                self._cos.popitem(last=False)
            return kept

    def advanced(self, org_id: str, kept: CoEvents, version: Hashable, new_events: Sequence[tuple[str, Any]]) -> None:
        """A batch read ``kept`` and committed ``new_events`` ((entity id, stored event), in version order):
        the log is now at ``version``. Entities the batch had read get their new events, to be decoded when
        first read (``BatchContext._load``); others (the batch did not read them whole) stay out."""
        with self._lock:
            if self._cos.get(org_id) is not kept:
                return
            grown: dict[str, list[Any]] = {}
            for entity_id, event in new_events:
                if entity_id in kept.entries:
                    grown.setdefault(entity_id, list(kept.entries[entity_id])).append(event)
            for entity_id, events in grown.items():
                added = sum(len(e.state) for e in events[len(kept.entries[entity_id]):])
                kept.keep(entity_id, events, kept.stored_bytes[entity_id] + added)
            kept.version = version

    def forget(self, org_id: str) -> None:
        """Drop the CO's entries (a group whose appends read one another's writes did not commit)."""
        with self._lock:
            self._cos.pop(org_id, None)

    def bytes(self) -> int:
        """The stored bytes kept, all COs together."""
        return sum(kept.bytes for kept in self._cos.values())


def is_final(cls: type) -> bool:
    """Whether an entity class has no event but the one that creates it: once stored, it never changes."""
    events = [name for name, value in vars(cls).items()
              if isinstance(value, type) and issubclass(value, cls.Event) and name not in ("Event", "Created")]
    return len(events) == 1


class FinalEntities:
    """Entities that never change once stored (``is_final``: a dividend paid, a voucher, a meeting...), kept
    between batches, so that a rule reading every earlier payment of a distribution does not load them
    again for every batch. Only entities as stored go in (read from the store or rebuilt from the events a
    ``StoredEvents`` kept; never one a batch is still writing), at most ``limit``, the oldest dropped first."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.entities: dict[tuple[str, str], Entity] = {}
        self._final: dict[type, bool] = {}

    def get(self, org_id: str, entity_id: str) -> Entity | None:
        return self.entities.get((org_id, entity_id))

    def forget(self, org_id: str) -> None:
        """Drop the CO's entities (they may have been read from a group's writes that did not commit)."""
        for key in [k for k in list(self.entities) if k[0] == org_id]:  # a snapshot: other threads offer
            self.entities.pop(key, None)

    def offer(self, org_id: str, entity: Entity) -> bool:
        """Keep the entity if it is final; whether it was kept."""
        cls = type(entity)
        final = self._final.get(cls)
        if final is None:
            final = self._final[cls] = is_final(cls)
        if final and entity.version == 1:
            if len(self.entities) >= self.limit:
                del self.entities[next(iter(self.entities))]
            self.entities[(org_id, entity.entity_id)] = entity
        return final and entity.version == 1
