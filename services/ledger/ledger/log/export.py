"""Export one CO's log for offline verification (``ledger export --org ID DIR``).

Layout of DIR (every file UTF-8, lines end in a single ``\\n``)::

    manifest.json           {"format": "audit-ledger-export/v1", "org_id": ..., "origin": ...,
                             "vkey": ..., "tree_size": N, "root_hash": hex, "checkpoints": [sizes]}
    vkey.txt                the ledger's verifier key (C2SP signed-note vkey), one line
    records.ndjson          line i (leaf index i, 0-based) is exactly records.leaf_bytes(record) of
                            the CO's i-th event as stored now: canonical JSON, so its RFC 9162 leaf
                            hash is SHA-256(0x00 || line bytes without the final newline)
    leaf-hashes.txt         line i: "<position> <hex leaf hash>", the hash the log committed to when
                            the event was appended (ledger_entries.leaf_hash)
    checkpoints/<size>.note every checkpoint the ledger signed for the CO up to N (one per append
                            batch), a C2SP signed note each

The export is a snapshot at the CO's latest checkpoint: leaves and checkpoints appended while it
runs are left out. The signed roots are the trust anchor; ``leaf-hashes.txt`` lets the verifier
name the exact position whose bytes changed once it has checked that those hashes reproduce the
signed roots. Split records.ndjson on b"\\n" only: canonical JSON escapes newlines but keeps other
Unicode line separators (U+2028) as they are.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..reading import Reader
from ..records import leaf_bytes
from . import notes
from .proofs import Leaf, LogProofs

FORMAT = "audit-ledger-export/v1"
MANIFEST, VKEY, RECORDS, LEAF_HASHES, CHECKPOINTS = (
    "manifest.json", "vkey.txt", "records.ndjson", "leaf-hashes.txt", "checkpoints")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    out_dir: Path
    tree_size: int
    root_hash: str
    checkpoints: int


def export(source: Any, org_id: str, out_dir: Path, vkey: str | None = None) -> ExportSummary:
    """Write the CO's log to ``out_dir`` (new or empty); ``source`` is the Services or a Reader."""
    reader: Reader = getattr(source, "reader", source)
    signer = getattr(source, "signer", None)
    vkey = vkey or (signer.vkey if signer is not None else None)
    if vkey is None:
        raise ValueError("the verifier key is unknown: pass the Services or vkey=")
    proofs = LogProofs(reader)
    head = proofs.head(org_id)
    issued = proofs.checkpoints(org_id, head.size)
    origin = notes.parse_checkpoint(notes.split_note(issued[-1][1])[0]).origin
    leaves = proofs.iter_leaves(org_id, head.size)
    return write_export(out_dir, org_id, origin, vkey, head.size, head.root, leaves, issued)


def write_export(out_dir: Path, org_id: str, origin: str, vkey: str, tree_size: int, root: bytes,
                 leaves: Iterable[Leaf], issued: list[tuple[int, str]]) -> ExportSummary:
    """Write the layout above from leaves in leaf order and the (size, signed note) checkpoints."""
    _prepare(out_dir)
    count = 0
    with (out_dir / RECORDS).open("wb") as records, (out_dir / LEAF_HASHES).open("w", encoding="ascii") as hashes:
        for leaf in leaves:
            if leaf.leaf_index != count:
                raise ValueError(f"leaf {count} is missing from the log (got leaf {leaf.leaf_index})")
            records.write(leaf_bytes(leaf.record) + b"\n")
            hashes.write(f"{leaf.position} {leaf.logged_leaf_hash.hex()}\n")
            count += 1
    if count != tree_size:
        raise ValueError(f"the log has {tree_size} leaves but {count} were read")
    (out_dir / CHECKPOINTS).mkdir()
    for size, note in issued:
        (out_dir / CHECKPOINTS / f"{size}.note").write_text(note, encoding="utf-8", newline="\n")
    (out_dir / VKEY).write_text(vkey + "\n", encoding="ascii")
    manifest = {"format": FORMAT, "org_id": org_id, "origin": origin, "vkey": vkey, "tree_size": tree_size,
                "root_hash": root.hex(), "checkpoints": [size for size, _ in issued]}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return ExportSummary(out_dir, tree_size, root.hex(), len(issued))


def _prepare(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty; export into a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
