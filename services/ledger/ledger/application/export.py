"""Export one CO's log for offline verification (``ledger export --org ID DIR``); layout in log/export_format.py."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ledger.application.ports import LogReads
from ledger.log import notes
from ledger.log.export_format import (
    CHECKPOINTS,
    FORMAT,
    LEAF_HASHES,
    MANIFEST,
    RECORDS,
    VKEY,
)
from ledger.log.proofs import Leaf
from ledger.log.record import leaf_bytes


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    out_dir: Path
    tree_size: int
    root_hash: str
    checkpoints: int


def export(proofs: LogReads, org_id: str, out_dir: Path, vkey: str) -> ExportSummary:
    """Write the CO's log to ``out_dir`` (new or empty), with ``vkey`` as the verifier key it names."""
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
