"""Tests for ledger.log.merkle against an independent RFC 9162 reference and CT vectors."""
from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.log import merkle
from ledger.log.merkle import (
    EMPTY_ROOT,
    InMemoryNodeStore,
    MissingNodesError,
    append_leaves,
    consistency_proof,
    inclusion_proof,
    root_at,
    root_from_frontier,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------- independent reference (RFC 9162 text)


def ref_leaf(d: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + d).digest()


def ref_node(a: bytes, b: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + a + b).digest()


def ref_k(n: int) -> int:
    """Largest power of two smaller than n, found by counting."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return ref_leaf(d[0])
    k = ref_k(len(d))
    return ref_node(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = ref_k(len(d))
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = ref_k(len(d))
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# ---------------------------------------------------------------- helpers


def data_for(n: int, salt: bytes = b"") -> list[bytes]:
    return [salt + b"entry-%d" % i for i in range(n)]


def build_store(data: Sequence[bytes]) -> InMemoryNodeStore:
    store = InMemoryNodeStore()
    nodes, _ = append_leaves([], 0, [ref_leaf(x) for x in data])
    store.put_nodes(nodes)
    return store


def flip(b: bytes, pos: int = 0) -> bytes:
    return b[:pos] + bytes([b[pos] ^ 0x01]) + b[pos + 1 :]


class CountingStore(InMemoryNodeStore):
    """InMemoryNodeStore that records every get_nodes call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[tuple[int, int]]] = []

    def get_nodes(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        keys = list(keys)
        self.calls.append(keys)
        return super().get_nodes(keys)


SMALL_N = 40
SMALL_DATA = data_for(SMALL_N)
SMALL_STORE = build_store(SMALL_DATA)
SMALL_ROOTS = [ref_mth(SMALL_DATA[:n]) for n in range(SMALL_N + 1)]

# ---------------------------------------------------------------- primitives and hand-built roots


def test_primitives_match_definitions() -> None:
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert merkle.node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


L = [ref_leaf(x) for x in data_for(9)]
N = ref_node
HAND_ROOTS = [
    hashlib.sha256(b"").digest(),
    L[0],
    N(L[0], L[1]),
    N(N(L[0], L[1]), L[2]),
    N(N(L[0], L[1]), N(L[2], L[3])),
    N(N(N(L[0], L[1]), N(L[2], L[3])), L[4]),
    N(N(N(L[0], L[1]), N(L[2], L[3])), N(L[4], L[5])),
    N(N(N(L[0], L[1]), N(L[2], L[3])), N(N(L[4], L[5]), L[6])),
    N(N(N(L[0], L[1]), N(L[2], L[3])), N(N(L[4], L[5]), N(L[6], L[7]))),
    N(N(N(N(L[0], L[1]), N(L[2], L[3])), N(N(L[4], L[5]), N(L[6], L[7]))), L[8]),
]


@pytest.mark.parametrize("n", range(10))
def test_hand_computed_roots(n: int) -> None:
    assert root_from_leaf_hashes(L[:n]) == HAND_ROOTS[n]
    nodes, frontier = append_leaves([], 0, L[:n])
    assert root_from_frontier(frontier) == HAND_ROOTS[n]
    store = InMemoryNodeStore()
    store.put_nodes(nodes)
    assert root_at(store, n) == HAND_ROOTS[n]


# Certificate Transparency reference vectors (RFC 6962 test data, same hashing as RFC 9162).
CT_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
             bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]  # fmt: skip
CT_ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]  # fmt: skip
CT_INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip
CT_CONSISTENCY = {
    (1, 8): CT_INCLUSION[(0, 8)],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip


def test_certificate_transparency_vectors() -> None:
    store = build_store(CT_LEAVES)
    roots = [bytes.fromhex(h) for h in CT_ROOTS]
    for n in range(1, 9):
        assert root_at(store, n) == roots[n - 1]
    for (i, n), want in CT_INCLUSION.items():
        proof = inclusion_proof(store, i, n)
        assert [p.hex() for p in proof] == want
        assert verify_inclusion(ref_leaf(CT_LEAVES[i]), i, n, proof, roots[n - 1])
    for (m, n), want in CT_CONSISTENCY.items():
        proof = consistency_proof(store, m, n)
        assert [p.hex() for p in proof] == want
        assert verify_consistency(m, n, roots[m - 1], roots[n - 1], proof)


# ---------------------------------------------------------------- store proofs == reference, exhaustive n <= 40


def test_stored_nodes_are_exactly_the_complete_subtrees() -> None:
    expected = {}
    for level in range(SMALL_N.bit_length()):
        width = 1 << level
        for index in range(SMALL_N // width):
            expected[(level, index)] = ref_mth(SMALL_DATA[index * width : (index + 1) * width])
    assert SMALL_STORE.nodes == expected


def test_roots_match_reference_for_every_size() -> None:
    for n in range(SMALL_N + 1):
        assert root_at(SMALL_STORE, n) == SMALL_ROOTS[n]


def test_inclusion_proofs_match_reference_and_verify() -> None:
    for n in range(1, SMALL_N + 1):
        for m in range(n):
            proof = inclusion_proof(SMALL_STORE, m, n)
            assert proof == ref_path(m, SMALL_DATA[:n]), (m, n)
            assert verify_inclusion(ref_leaf(SMALL_DATA[m]), m, n, proof, SMALL_ROOTS[n])


def test_consistency_proofs_match_reference_and_verify() -> None:
    for n in range(1, SMALL_N + 1):
        for m in range(1, n + 1):
            proof = consistency_proof(SMALL_STORE, m, n)
            assert proof == ref_proof(m, SMALL_DATA[:n]), (m, n)
            assert verify_consistency(m, n, SMALL_ROOTS[m], SMALL_ROOTS[n], proof)


def test_inclusion_wrong_index_or_size_fails() -> None:
    for n in range(1, 17):
        for m in range(n):
            proof = inclusion_proof(SMALL_STORE, m, n)
            leaf = ref_leaf(SMALL_DATA[m])
            for other in range(n + 1):
                if other != m:
                    assert not verify_inclusion(leaf, other, n, proof, SMALL_ROOTS[n])
            for size in range(1, 20):
                if size != n:
                    assert not verify_inclusion(leaf, m, size, proof, SMALL_ROOTS[size])


def test_size_is_not_bound_by_an_inclusion_proof_alone() -> None:
    """RFC behaviour: the proof for (0, 3) also folds to root(3) under size 4; the signed checkpoint binds size."""
    proof = inclusion_proof(SMALL_STORE, 0, 3)
    assert verify_inclusion(ref_leaf(SMALL_DATA[0]), 0, 4, proof, SMALL_ROOTS[3])


def test_proofs_cannot_claim_extra_levels() -> None:
    """The RFC's sn checks stop a proof from wrapping the real root in extra levels."""
    x = b"\x42" * 32
    # A size-2 tree's proof for index 1 must not pass as a size-1 tree containing leaf 1.
    assert not verify_inclusion(L[1], 0, 1, [L[0]], N(L[0], L[1]))
    # A valid (3, 4) proof plus one extra element must not verify against wrapped roots.
    proof = consistency_proof(SMALL_STORE, 3, 4)
    r3, r4 = SMALL_ROOTS[3], SMALL_ROOTS[4]
    assert verify_consistency(3, 4, r3, r4, proof)
    assert not verify_consistency(3, 4, N(x, r3), N(x, r4), proof + [x])
    # A (2, 4) proof must not certify a claimed size 5 whose "root" is really root(4).
    assert not verify_consistency(2, 5, SMALL_ROOTS[2], r4, consistency_proof(SMALL_STORE, 2, 4))


def test_consistency_wrong_sizes_fail() -> None:
    for n in range(2, 17):
        for m in range(1, n):
            proof = consistency_proof(SMALL_STORE, m, n)
            for m2 in range(1, 20):
                for n2 in range(m2, 20):
                    if (m2, n2) != (m, n):
                        assert not verify_consistency(m2, n2, SMALL_ROOTS[m2], SMALL_ROOTS[n2], proof)


def test_inclusion_edge_cases() -> None:
    leaf = ref_leaf(SMALL_DATA[0])
    assert verify_inclusion(leaf, 0, 1, [], SMALL_ROOTS[1])
    assert not verify_inclusion(leaf, 0, 1, [SMALL_ROOTS[1]], SMALL_ROOTS[1])
    assert not verify_inclusion(leaf, 1, 1, [], SMALL_ROOTS[1])
    assert not verify_inclusion(leaf, -1, 1, [], SMALL_ROOTS[1])
    assert not verify_inclusion(leaf, 0, 0, [], EMPTY_ROOT)
    proof = inclusion_proof(SMALL_STORE, 0, 8)
    assert not verify_inclusion(leaf, 0, 8, proof[:-1], SMALL_ROOTS[8])
    assert not verify_inclusion(leaf, 0, 8, proof + [proof[0]], SMALL_ROOTS[8])
    assert not verify_inclusion(leaf, 0, 8, [proof[0][:31], *proof[1:]], SMALL_ROOTS[8])


def test_consistency_edge_cases() -> None:
    r5, r8 = SMALL_ROOTS[5], SMALL_ROOTS[8]
    assert consistency_proof(SMALL_STORE, 5, 5) == []
    assert verify_consistency(5, 5, r5, r5, [])
    assert not verify_consistency(5, 5, r5, r8, [])
    assert not verify_consistency(5, 5, r5, r5, [r5])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r5, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(5, 8, r5, r8, [])
    assert not verify_consistency(8, 5, r8, r5, consistency_proof(SMALL_STORE, 5, 8))
    proof = consistency_proof(SMALL_STORE, 5, 8)
    assert not verify_consistency(5, 8, r5, r8, proof[:-1])
    assert not verify_consistency(5, 8, r5, r8, proof + [proof[0]])


def test_proof_arguments_are_validated() -> None:
    for bad in [(-1, 5), (5, 5), (6, 5)]:
        with pytest.raises(ValueError):
            inclusion_proof(SMALL_STORE, *bad)
    for bad in [(0, 5), (6, 5), (-1, 3)]:
        with pytest.raises(ValueError):
            consistency_proof(SMALL_STORE, *bad)
    with pytest.raises(ValueError):
        root_at(SMALL_STORE, -1)


def test_missing_nodes_raise() -> None:
    with pytest.raises(MissingNodesError) as err:
        root_at(SMALL_STORE, SMALL_N + 1)
    assert (0, SMALL_N) in err.value.keys
    with pytest.raises(MissingNodesError):
        inclusion_proof(SMALL_STORE, 3, SMALL_N + 5)


def test_append_validation_and_store_conflicts() -> None:
    _, frontier = append_leaves([], 0, L[:6])
    with pytest.raises(ValueError):
        append_leaves(frontier, 7, L[6:])
    with pytest.raises(ValueError):
        append_leaves(frontier[:1], 6, L[6:])
    with pytest.raises(ValueError):
        append_leaves(frontier, 6, [b"short"])
    store = InMemoryNodeStore()
    store.put_nodes({(0, 0): L[0]})
    store.put_nodes({(0, 0): L[0]})
    with pytest.raises(ValueError):
        store.put_nodes({(0, 0): L[1]})
    with pytest.raises(ValueError):
        root_from_leaf_hashes([b"x" * 31])


# ---------------------------------------------------------------- property tests


@st.composite
def chunked_tree(draw: st.DrawFn) -> tuple[list[bytes], list[int]]:
    n = draw(st.integers(1, 2000))
    chunks: list[int] = []
    while sum(chunks) < n:
        chunks.append(min(draw(st.integers(1, 300)), n - sum(chunks)))
    return data_for(n, draw(st.binary(max_size=4))), chunks


@settings(max_examples=40, deadline=None)
@given(chunked_tree())
def test_incremental_root_matches_batch_root(tree: tuple[list[bytes], list[int]]) -> None:
    data, chunks = tree
    hashes = [merkle.leaf_hash(x) for x in data]
    frontier: list[bytes] = []
    size = 0
    store = InMemoryNodeStore()
    all_nodes: dict[tuple[int, int], bytes] = {}
    for chunk in chunks:
        nodes, frontier = append_leaves(frontier, size, hashes[size : size + chunk])
        assert not set(nodes) & set(all_nodes)
        all_nodes.update(nodes)
        store.put_nodes(nodes)
        size += chunk
        assert root_from_frontier(frontier) == root_from_leaf_hashes(hashes[:size])
        assert root_at(store, size) == root_from_frontier(frontier)
    assert all_nodes == append_leaves([], 0, hashes)[0]
    assert root_from_leaf_hashes(hashes) == ref_mth(data)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int, int]:
    n = draw(st.integers(1, 2000))
    return data_for(n, draw(st.binary(max_size=4))), draw(st.integers(0, n - 1)), draw(st.integers(0, 31))


@settings(max_examples=60, deadline=None)
@given(tree_and_index())
def test_inclusion_property(case: tuple[list[bytes], int, int]) -> None:
    data, index, pos = case
    n, store = len(data), build_store(data)
    root, leaf = root_at(store, n), ref_leaf(data[index])
    proof = inclusion_proof(store, index, n)
    assert proof == ref_path(index, data)
    assert verify_inclusion(leaf, index, n, proof, root)
    assert not verify_inclusion(flip(leaf, pos), index, n, proof, root)
    assert not verify_inclusion(leaf, index, n, proof, flip(root, pos))
    for i in range(len(proof)):
        bad = proof[:i] + [flip(proof[i], pos)] + proof[i + 1 :]
        assert not verify_inclusion(leaf, index, n, bad, root)
    if n > 1:
        assert not verify_inclusion(leaf, (index + 1) % n, n, proof, root)
    assert not verify_inclusion(leaf, index, n + 1, proof, ref_mth(data + [b"extra"]))


@st.composite
def tree_and_pair(draw: st.DrawFn) -> tuple[list[bytes], int, int]:
    n = draw(st.integers(1, 2000))
    return data_for(n, draw(st.binary(max_size=4))), draw(st.integers(1, n)), draw(st.integers(0, 31))


@settings(max_examples=60, deadline=None)
@given(tree_and_pair())
def test_consistency_property(case: tuple[list[bytes], int, int]) -> None:
    data, first, pos = case
    second, store = len(data), build_store(data)
    r1, r2 = root_at(store, first), root_at(store, second)
    proof = consistency_proof(store, first, second)
    assert proof == ref_proof(first, data)
    assert verify_consistency(first, second, r1, r2, proof)
    assert not verify_consistency(first, second, flip(r1, pos), r2, proof)
    assert not verify_consistency(first, second, r1, flip(r2, pos), proof)
    for i in range(len(proof)):
        bad = proof[:i] + [flip(proof[i], pos)] + proof[i + 1 :]
        assert not verify_consistency(first, second, r1, r2, bad)
    if first + 1 < second:
        assert not verify_consistency(first + 1, second, root_at(store, first + 1), r2, proof)
        assert not verify_consistency(first, second - 1, r1, root_at(store, second - 1), proof)


# ---------------------------------------------------------------- read cost at scale


def test_proofs_at_100k_read_few_keys_in_one_call() -> None:
    n = 100_000
    store = CountingStore()
    nodes, frontier = append_leaves([], 0, (merkle.leaf_hash(b"%d" % i) for i in range(n)))
    store.put_nodes(nodes)
    root = root_from_frontier(frontier)
    limit = 2 * math.ceil(math.log2(n))
    assert root_at(store, n) == root
    for index in [0, 1, 31_337, 65_535, 65_536, n - 2, n - 1]:
        store.calls.clear()
        proof = inclusion_proof(store, index, n)
        assert len(store.calls) == 1 and len(store.calls[0]) <= limit
        assert verify_inclusion(merkle.leaf_hash(b"%d" % index), index, n, proof, root)
    for first in [1, 3, 4_097, 65_536, 99_999, n]:
        store.calls.clear()
        proof = consistency_proof(store, first, n)
        assert len(store.calls) == (first < n) and all(len(c) <= limit for c in store.calls)
        assert verify_consistency(first, n, root_at(store, first), root, proof)
