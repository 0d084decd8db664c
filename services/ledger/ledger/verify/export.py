"""Offline verification of an export folder (layout: log/export.py).

1. Every ``checkpoints/<size>.note`` must carry a valid signature of the verifier key, name the
   export's origin and the size in its file name.
2. Every line of ``records.ndjson`` is hashed again (RFC 9162 leaf hash of its bytes); the tree
   of those hashes must reproduce the signed root at every checkpoint size, and consecutive
   checkpoints must be consistent (RFC 9162 consistency proofs, timestamps not going back).
3. When a root does not match, the bad leaf is located: if the leaf hashes recorded at append
   time (``leaf-hashes.txt``) reproduce every signed root, they are as good as signed, and the
   first line whose hash differs from its recorded hash is the changed event (its position and
   leaf index are named). Otherwise only the range between two checkpoints can be named.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.log import merkle
from ledger.log.export_format import CHECKPOINTS, LEAF_HASHES, MANIFEST, RECORDS, VKEY
from ledger.log.notes import Checkpoint, NoteError, Verifier
from ledger.verify.proofs import Result, describe, load_verifier, open_checkpoint


def verify_export_dir(directory: Path, vkey: str | None = None) -> Result:
    """Verify the export in ``directory``; see the module docstring for what is checked."""
    result = Result(f"export {directory}")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        lines = (directory / RECORDS).read_bytes().split(b"\n")
    except (OSError, ValueError) as exc:
        result.fail(f"not a readable export: {exc}")
        return result
    embedded = _read(directory / VKEY) or manifest.get("vkey")
    verifier = load_verifier(vkey, embedded, result)
    if verifier is None:
        return result
    signed = _checkpoints(directory, verifier, str(manifest.get("origin")), result)
    if lines[-1] != b"":
        result.fail(f"{RECORDS} does not end with a newline (truncated?)")
    lines = lines[:-1]
    if not signed:
        result.fail("the export holds no valid signed checkpoint")
        return result
    _check_manifest(manifest, signed[-1], len(lines), result)
    positions = [_position(line) for line in lines]
    recorded = _recorded(directory / LEAF_HASHES, result)
    _check_tree([merkle.leaf_hash(line) for line in lines], recorded, signed, positions, result)
    return result


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def _checkpoints(directory: Path, verifier: Verifier, origin: str, result: Result) -> list[Checkpoint]:
    """The checkpoints that verify, smallest first; each one that does not is a failure."""
    found = []
    for path in sorted((directory / CHECKPOINTS).glob("*.note")):
        try:
            checkpoint = open_checkpoint(path.read_text(encoding="utf-8"), verifier, origin)
        except (NoteError, OSError, UnicodeError) as exc:
            result.fail(f"{CHECKPOINTS}/{path.name} does not verify: {exc}")
            continue
        if path.stem != str(checkpoint.size):
            result.fail(f"{CHECKPOINTS}/{path.name} is a checkpoint of size {checkpoint.size}")
            continue
        found.append(checkpoint)
    found.sort(key=lambda c: c.size)
    if found:
        result.passed.append(f"{len(found)} checkpoints signed by {verifier.name}, the latest {describe(found[-1])}")
    return found


def _check_manifest(manifest: dict[str, Any], latest: Checkpoint, leaves: int, result: Result) -> None:
    if manifest.get("tree_size") != latest.size or manifest.get("root_hash") != latest.root_hash.hex():
        result.fail(f"{MANIFEST} says size {manifest.get('tree_size')}, the latest signed checkpoint {latest.size}")
    if leaves > latest.size:
        result.fail(f"{RECORDS} has {leaves} lines; leaves {latest.size}.. are covered by no signed checkpoint")


def _position(line: bytes) -> int | None:
    try:
        value = json.loads(line)
        return int(value["position"])
    except (ValueError, TypeError, KeyError):
        return None


def _recorded(path: Path, result: Result) -> list[tuple[int, bytes]] | None:
    """The (position, leaf hash) pairs of leaf-hashes.txt, or None when absent or unreadable."""
    if not path.is_file():
        result.warnings.append(f"no {LEAF_HASHES}: a changed record can be located only between two checkpoints")
        return None
    try:
        pairs = [line.split(" ") for line in path.read_text(encoding="ascii").splitlines()]
        return [(int(position), bytes.fromhex(digest)) for position, digest in pairs]
    except (ValueError, UnicodeError) as exc:
        result.fail(f"{LEAF_HASHES} is malformed: {exc}")
        return None


def _tree(hashes: list[bytes], sizes: list[int]) -> tuple[merkle.InMemoryNodeStore, dict[int, bytes]]:
    """The tree of ``hashes`` (every complete node) and its root at each of ``sizes`` it covers."""
    store, roots, frontier, done = merkle.InMemoryNodeStore(), {}, [], 0
    for size in sorted(s for s in set(sizes) if s <= len(hashes)):
        nodes, frontier = merkle.append_leaves(frontier, done, hashes[done:size])
        store.nodes.update(nodes)
        roots[size], done = merkle.root_from_frontier(frontier), size
    nodes, _ = merkle.append_leaves(frontier, done, hashes[done:])
    store.nodes.update(nodes)
    return store, roots


def _matches(roots: dict[int, bytes], signed: list[Checkpoint]) -> list[bool]:
    return [roots.get(c.size) == c.root_hash for c in signed]


def _check_tree(hashes: list[bytes], recorded: list[tuple[int, bytes]] | None, signed: list[Checkpoint],
                positions: list[int | None], result: Result) -> None:
    store, roots = _tree(hashes, [c.size for c in signed])
    matches = _matches(roots, signed)
    if all(matches):
        result.passed.append(f"{len(hashes)} records reproduce the root of every signed checkpoint")
        _check_consistency(store, signed, result)
        if recorded is not None and [h for _, h in recorded] != hashes:
            result.fail(f"{LEAF_HASHES} disagrees with {RECORDS}, whose hashes the checkpoints confirm")
        return
    bad = signed[matches.index(False)]
    if recorded is not None and _locate(hashes, recorded, signed, positions, result):
        return
    good = [c.size for c, ok in zip(signed, matches) if ok and c.size < bad.size]
    low = good[-1] if good else 0
    result.fail(f"leaves {low}..{bad.size - 1}: the records there do not reproduce the signed checkpoint of "
                f"size {bad.size} ({describe(bad)})", leaf_index=low)


def _locate(hashes: list[bytes], recorded: list[tuple[int, bytes]], signed: list[Checkpoint],
            positions: list[int | None], result: Result) -> bool:
    """Name each changed record if the recorded hashes reproduce every signed root; False if they do not."""
    store, roots = _tree([h for _, h in recorded], [c.size for c in signed])
    if not all(_matches(roots, signed)):
        result.fail(f"{LEAF_HASHES} does not reproduce the signed roots either")
        return False
    result.passed.append(f"the leaf hashes recorded at append time ({LEAF_HASHES}) reproduce every signed root")
    _check_consistency(store, signed, result)
    for index, (position, logged) in enumerate(recorded):
        now = hashes[index] if index < len(hashes) else None
        if now != logged:
            where = positions[index] if index < len(positions) and positions[index] is not None else position
            covering = next((c.size for c in signed if c.size > index), None)
            what = "record is missing" if now is None else "bytes do not match the leaf the log committed to"
            result.fail(f"position {where} (leaf {index}): its {what} (signed in the checkpoint of size "
                        f"{covering})", where, index)
    return True


def _check_consistency(store: merkle.InMemoryNodeStore, signed: list[Checkpoint], result: Result) -> None:
    for older, newer in zip(signed, signed[1:]):
        proof = merkle.consistency_proof(store, older.size, newer.size)
        if not merkle.verify_consistency(older.size, newer.size, older.root_hash, newer.root_hash, proof):
            result.fail(f"the checkpoints of sizes {older.size} and {newer.size} are not consistent")
        if older.timestamp and newer.timestamp and newer.timestamp < older.timestamp:
            result.fail(f"the checkpoint of size {newer.size} is dated before that of size {older.size}")
    result.passed.append(f"each checkpoint is consistent with the next ({len(signed) - 1} RFC 9162 proofs)")
