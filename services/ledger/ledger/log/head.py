"""Where a CO's log stands: what an append reads before it adds leaves."""
from __future__ import annotations

from dataclasses import dataclass

from ledger.log import merkle


@dataclass(frozen=True)
class Head:
    """Where a CO's log stands: its size, the right-edge subtree roots, the latest checkpoint."""

    size: int
    frontier: list[bytes]
    checkpoint: str | None

    @property
    def root(self) -> bytes:
        return merkle.root_from_frontier(self.frontier)


def origin_for(log_origin: str, org_id: str) -> str:
    """The checkpoint origin line of a CO's log, e.g. 'audit-ledger.local/TC-001'."""
    return f"{log_origin}/{org_id}"
