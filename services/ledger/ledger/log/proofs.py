"""Proofs of a CO's log as values: a leaf with both of its hashes, an inclusion, a consistency proof.

Storage assembles them (``adapters/sql/proofs``); the dossier and the API present them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ledger.log import merkle, notes
from ledger.log.record import Record


class MissingCheckpoint(LookupError):
    """No checkpoint was signed at this tree size (a tlog-proof needs one)."""

    def __init__(self, tree_size: int) -> None:
        super().__init__(f"no checkpoint was signed at tree size {tree_size}")
        self.tree_size = tree_size


@dataclass(frozen=True)
class Leaf:
    """One leaf of a CO's log: its event's record as stored now, and both hashes of it."""

    leaf_index: int
    record: Record
    leaf_hash: bytes
    """RFC 9162 leaf hash of ``records.leaf_bytes(record)``, computed from the bytes stored now."""
    logged_leaf_hash: bytes
    """The leaf hash committed to the log when the event was appended."""

    @property
    def position(self) -> int:
        return int(self.record.position)

    @property
    def intact(self) -> bool:
        """Whether the stored bytes still hash to the leaf the log committed to."""
        return self.leaf_hash == self.logged_leaf_hash


@dataclass(frozen=True)
class Inclusion:
    """PATH(leaf_index, D[0:tree_size]) with the root it leads to and the checkpoint signed at that size."""

    leaf: Leaf
    tree_size: int
    proof: list[bytes]
    root: bytes
    checkpoint: str | None

    def verifies(self) -> bool:
        """Whether the leaf hash of the current stored bytes leads to the root."""
        return merkle.verify_inclusion(self.leaf.leaf_hash, self.leaf.leaf_index, self.tree_size, self.proof,
                                       self.root)

    def tlog_proof(self) -> str:
        """The proof as c2sp.org/tlog-proof@v1 text; needs a checkpoint signed at this tree size."""
        if self.checkpoint is None:
            raise MissingCheckpoint(self.tree_size)
        return notes.format_tlog_proof(self.leaf.leaf_index, self.proof, self.checkpoint)


@dataclass(frozen=True)
class Consistency:
    """PROOF(first, D[0:second]) with both roots and the checkpoints signed at either size, if any."""

    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes
    first_checkpoint: str | None
    second_checkpoint: str | None
