"""What the application needs from storage, as Protocols; ``adapters/sql`` implements them.

The application decides and orchestrates; it never names a table or a driver. An adapter
translates its own errors into the two below, so the rules and the retry policy read the same
whatever the database.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from ledger.domain.catalog import Context
from ledger.log.head import Head
from ledger.log.notes import Signer
from ledger.log.proofs import Inclusion, Leaf
from ledger.log.record import Record


class StoreRace(Exception):
    """The store refused a write because a concurrent append stored the same key first (a lost race)."""


Citation = tuple[int, str, str, str, str]
"""(position, field, target id, citing entity id, citing entity kind): one reference an event makes."""


class DecisionContext(Context, Protocol):
    """The CO as the batch sees it (``domain.catalog.Context``), plus what the decision function needs."""

    def prefetch(self, entity_ids: set[str], cited_ids: Iterable[str] = ()) -> None:
        """Load these entities (and what cites them) before the rules read them one by one."""

    def refuse_if_closed(self, effective_date: str) -> None:
        """Raise ``Conflict("period-closed")`` if the date lies in a period the CO closed."""

    def keep(self, entity: Any) -> None:
        """The entity as this batch left it (later requests of the batch see it)."""

    def cite(self, citations: Iterable[tuple[str, str, str]]) -> None:
        """(target id, citing kind, citing id) citations this batch made."""


class AppendTransaction(Protocol):
    """One append transaction of one CO, holding the CO's append lock from its start to its commit."""

    context: DecisionContext

    def replay_of(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """(request hash, response body) stored under this Idempotency-Key, if any."""

    def log_head(self) -> Head:
        """The CO's log head, current while the lock is held."""

    def save(self, events: Sequence[Any]) -> list[Record]:
        """Store the events (the store assigns positions); their records, as stored."""

    def index(self, records: Sequence[Record], recorded: Sequence[datetime], first_leaf: int,
              leaf_hashes: Sequence[bytes], citations: Sequence[Citation],
              registrations: Sequence[tuple[str, dict[str, Any], int]]) -> None:
        """Write the entries index, the references and the registry rows (``EventType.registers``)."""

    def append_to_log(self, leaf_hashes: list[bytes], signer: Signer, origin: str, moment: datetime,
                      before: Head) -> Head:
        """Add the leaves to the CO's Merkle log and sign its new checkpoint."""

    def remember(self, key: str, request_hash: str, body: dict[str, Any], recorded_at: datetime) -> None:
        """Keep the response under its Idempotency-Key (same transaction as the events)."""


class AppendStore(Protocol):
    """Opens append transactions; ``serialized`` asks for the store's global write lock from the start."""

    def transaction(self, org_id: str, serialized: bool = False) -> AbstractContextManager[AppendTransaction]:
        ...

    def reading(self, org_id: str) -> AbstractContextManager[AppendTransaction]:
        """A read-only look (nothing is committed): replays after a lost race, version conflicts."""


class TransactionGroup(Protocol):
    """One transaction shared by several appends, committed once (``application.group_commit``)."""

    def member(self, org_id: str) -> AbstractContextManager[AppendTransaction]:
        """One append in a savepoint of its own, under its CO's lock: released on success, rolled back alone
        on an error (re-raised; a lost unique-key race as ``StoreRace``)."""


class GroupStore(Protocol):
    def group(self) -> AbstractContextManager[TransactionGroup]:
        """A transaction that commits when the block ends (the errors of its members excepted)."""


class LogReads(Protocol):
    """The read side of the CO logs: heads, signed checkpoints, leaves, proofs, the references events made."""

    def head(self, org_id: str) -> Head: ...

    def checkpoint(self, org_id: str, tree_size: int | None = None) -> tuple[int, str]: ...

    def checkpoints(self, org_id: str, upto: int) -> list[tuple[int, str]]: ...

    def leaves(self, org_id: str, tree_size: int, *, leaf_index: int | None = None,
               entity_ids: list[str] | None = None) -> list[Leaf]: ...

    def iter_leaves(self, org_id: str, tree_size: int, page: int = 2000) -> Iterable[Leaf]: ...

    def inclusions(self, org_id: str, leaves: list[Leaf], tree_size: int, head: Head) -> list[Inclusion]: ...

    def citations(self, org_id: str, entity_ids: list[str], tree_size: int) -> list[dict[str, Any]]: ...
