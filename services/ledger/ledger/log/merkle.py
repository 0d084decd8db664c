"""RFC 9162 (Certificate Transparency v2) Merkle tree: hashing, storage model, proofs.

Storage model: only hashes of COMPLETE subtrees are stored.  Node ``(level, index)``
is the hash of the ``2**level`` leaves starting at leaf ``index * 2**level``;
level 0 holds the leaf hashes themselves.  A complete node never changes once
written, so one store serves every tree size up to the number of leaves it holds.
Every subtree that the RFC algorithms need is either such a complete node or a
right-edge subtree ``[lo, tree_size)``, whose hash is folded from its
O(log n) complete pieces.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
Range = tuple[int, int]


class MissingNodesError(LookupError):
    """The node store lacks complete-subtree hashes needed for a tree size."""

    def __init__(self, keys: Iterable[NodeKey]) -> None:
        self.keys = sorted(keys)
        super().__init__(f"node store is missing {len(self.keys)} node(s): {self.keys[:8]}")


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH per RFC 9162 section 2.1.1, over already-computed leaf hashes."""
    for h in hashes:
        _check_hash(h, "leaf hash")
    return _mth(hashes, 0, len(hashes)) if hashes else EMPTY_ROOT


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return hashes[lo]
    k = _split(hi - lo)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


# --------------------------------------------------------------------- node storage


class NodeStore(Protocol):
    """Read access to complete-subtree hashes keyed by (level, index)."""

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the stored hashes for the keys present; absent keys are omitted."""
        ...


class InMemoryNodeStore:
    """Dict-backed NodeStore; rewriting a node with a different hash is refused."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the stored hashes for the keys present."""
        return {k: self.nodes[k] for k in keys if k in self.nodes}

    def put_nodes(self, nodes: dict[NodeKey, bytes]) -> None:
        """Store complete-subtree hashes (idempotent for identical values)."""
        for key, value in nodes.items():
            _check_hash(value, f"node {key}")
            old = self.nodes.get(key)
            if old is not None and old != value:
                raise ValueError(f"node {key} already stored with a different hash")
        self.nodes.update(nodes)


# --------------------------------------------------------------------- appending


def frontier_keys(size: int) -> list[NodeKey]:
    """Keys of the right-edge complete subtrees of a tree of ``size`` leaves."""
    return _range_keys(0, size)


def append_leaves(
    frontier: Sequence[bytes], size: int, new_leaf_hashes: Iterable[bytes]
) -> tuple[dict[NodeKey, bytes], list[bytes]]:
    """Append leaf hashes to a tree given only its frontier; no store reads.

    The frontier of a tree of ``size`` leaves is the list of hashes of the
    maximal complete subtrees that together cover leaves ``[0, size)``: one per
    set bit of ``size``, ordered from the largest (most significant bit,
    leftmost) to the smallest (rightmost).  E.g. size 6 = 0b110 has frontier
    ``[node(2, 0), node(1, 2)]``; the empty tree has frontier ``[]``.

    Returns every newly completed node, including the new level-0 leaves, keyed
    by (level, index), and the frontier of the grown tree.
    """
    if size < 0 or len(frontier) != size.bit_count():
        raise ValueError(f"frontier has {len(frontier)} entries; size {size} needs {max(size, 0).bit_count()}")
    for h in frontier:
        _check_hash(h, "frontier hash")
    stack = [(level, h) for (level, _), h in zip(frontier_keys(size), frontier, strict=True)]
    new_nodes: dict[NodeKey, bytes] = {}
    for i, h in enumerate(new_leaf_hashes, start=size):
        _check_hash(h, "leaf hash")
        new_nodes[(0, i)] = h
        stack.append((0, h))
        while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
            level, right = stack.pop()
            _, left = stack.pop()
            merged = node_hash(left, right)
            new_nodes[(level + 1, i >> (level + 1))] = merged
            stack.append((level + 1, merged))
    return new_nodes, [h for _, h in stack]


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """RFC root from a frontier: fold right to left, h = node_hash(f_i, h)."""
    if not frontier:
        return EMPTY_ROOT
    h = frontier[-1]
    for f in reversed(frontier[:-1]):
        h = node_hash(f, h)
    return h


# --------------------------------------------------------------------- proof shapes


def _range_keys(lo: int, hi: int) -> list[NodeKey]:
    """Complete pieces of the RFC subtree [lo, hi), largest first.

    Valid for every subtree the RFC recursion produces: ``lo`` is aligned to a
    power of two at least as large as ``hi - lo``.
    """
    keys = []
    for level in reversed(range((hi - lo).bit_length())):
        if (hi - lo) >> level & 1:
            keys.append((level, lo >> level))
            lo += 1 << level
    return keys


def _inclusion_ranges(index: int, size: int) -> list[Range]:
    """Subtrees whose hashes form PATH(index, D[0:size]), leaf sibling first."""
    path: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo += k
    return path[::-1]


def _consistency_ranges(first: int, second: int) -> list[Range]:
    """Subtrees whose hashes form PROOF(first, D[0:second]) (0 < first <= second)."""
    out: list[Range] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        out.append((lo, hi))
    return out[::-1]


def _range_hashes(store: NodeStore, ranges: Sequence[Range]) -> list[bytes]:
    """Hash each subtree from its complete pieces, fetched in one get_nodes call."""
    pieces = [_range_keys(lo, hi) for lo, hi in ranges]
    wanted = [k for keys in pieces for k in keys]  # proof subtrees are disjoint
    found = store.get_nodes(wanted) if wanted else {}
    missing = [k for k in wanted if k not in found]
    if missing:
        raise MissingNodesError(missing)
    return [root_from_frontier([found[k] for k in keys]) for keys in pieces]


def root_at(store: NodeStore, tree_size: int) -> bytes:
    """RFC root of the first ``tree_size`` leaves held by ``store``."""
    if tree_size < 0:
        raise ValueError("tree_size must be >= 0")
    return _range_hashes(store, [(0, tree_size)])[0] if tree_size else EMPTY_ROOT


def inclusion_proof(store: NodeStore, leaf_index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 section 2.1.3.1 PATH(leaf_index, D[0:tree_size])."""
    if not 0 <= leaf_index < tree_size:
        raise ValueError(f"leaf_index {leaf_index} not in [0, {tree_size})")
    return _range_hashes(store, _inclusion_ranges(leaf_index, tree_size))


def consistency_proof(store: NodeStore, first: int, second: int) -> list[bytes]:
    """RFC 9162 section 2.1.4.1 PROOF(first, D[0:second]); empty when first == second."""
    if not 0 < first <= second:
        raise ValueError(f"consistency proof needs 0 < first <= second, got {first}, {second}")
    return _range_hashes(store, _consistency_ranges(first, second))


# --------------------------------------------------------------------- verification


def _valid_proof(proof: Sequence[bytes]) -> bool:
    return all(isinstance(p, bytes) and len(p) == HASH_SIZE for p in proof)


def verify_inclusion(
    leaf_hash: bytes, leaf_index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2; False on any mismatch or out-of-range index."""
    if leaf_index < 0 or leaf_index >= tree_size or not _valid_proof(proof):
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2.

    ``first == second`` verifies iff the proof is empty and the roots are equal.
    ``first == 0`` is not provable under RFC 9162 (0 < first is required), so it
    returns False, as does ``first > second`` or any negative size.
    """
    if first == second and first > 0:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof or not _valid_proof(proof):
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
