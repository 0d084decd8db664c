"""The stored events of a CO's entities, kept between batches while the CO's log does not move.

A batch reconstructs every entity it names or cites from its stored events (``BatchContext._load``):
a dividend batch reads a thousand members, most of which the previous batch read too. This cache
keeps the decoded events of each entity read (or the fact that it has none) together with the
size of the CO's log when they were read. The log's size is a complete version of the CO: it
grows with every event of the CO, whoever appends it. An append holds the CO's lock and reads
the log's head first (``Appender._append_once``); if the size is the one the cache was filled at,
nothing of the CO changed since and every kept entry is current; otherwise the CO's entries are
dropped. After a commit, the entities the batch changed get their new events as stored (decoded
from those bytes when first read again, as a read from the store would), and all move on to the
new size (``advanced``).

Events, not entities, are kept: an entity is rebuilt from them for each batch (``_project``), so
a batch that changes its copy and then fails leaves nothing behind here. Thread-safe: batches of
different COs may use it at once; batches of one CO never do (the CO's lock).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Sequence


class CoEvents:
    """One CO's kept entries: entity id -> its stored events in version order (empty: no such entity)."""

    def __init__(self, size: int) -> None:
        self.size = size
        """The CO's log size the entries are current at."""
        self.entries: dict[str, Sequence[Any]] = {}
        self.events = 0
        """How many events the entries hold (an entity with none counts one)."""

    def keep(self, entity_id: str, events: Sequence[Any]) -> None:
        self.drop(entity_id)
        self.entries[entity_id] = tuple(events)
        self.events += len(events) or 1

    def drop(self, entity_id: str) -> None:
        events = self.entries.pop(entity_id, None)
        if events is not None:
            self.events -= len(events) or 1


class StoredEvents:
    """Per CO, the events its entities were rebuilt from, valid at one size of the CO's log; at most ``limit``
    events in all (about 2 KB each in memory: 100 MB), the COs used longest ago dropped first."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._cos: OrderedDict[str, CoEvents] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, org_id: str, size: int) -> CoEvents:
        """The CO's entries current at log size ``size``: those kept, if the log has not moved; else none."""
        with self._lock:
            kept = self._cos.get(org_id)
            if kept is None or kept.size != size:
                kept = self._cos[org_id] = CoEvents(size)
            self._cos.move_to_end(org_id)
            while len(self._cos) > 1 and self.count() > self.limit:
                self._cos.popitem(last=False)
            if kept.events > self.limit:  # this CO alone: start it again
                kept = self._cos[org_id] = CoEvents(size)
            return kept

    def advanced(self, org_id: str, kept: CoEvents, size: int, new_events: Sequence[tuple[str, Any]]) -> None:
        """A batch read ``kept`` and committed ``new_events`` ((entity id, stored event), in version order): the
        log is now ``size`` long. Entities the batch had read get their new events, to be decoded when first
        read (``BatchContext._load``); others (the batch did not read them whole) stay out."""
        with self._lock:
            if self._cos.get(org_id) is not kept:
                return
            grown: dict[str, list[Any]] = {}
            for entity_id, event in new_events:
                if entity_id in kept.entries:
                    grown.setdefault(entity_id, list(kept.entries[entity_id])).append(event)
            for entity_id, events in grown.items():
                kept.keep(entity_id, events)
            kept.size = size

    def count(self) -> int:
        """How many events are kept, all COs together."""
        return sum(kept.events for kept in self._cos.values())
