"""The layout of an export folder (``ledger export --org ID DIR``), shared by the exporter and the verifier.

Layout of DIR (every file UTF-8, lines end in a single ``\\n``)::

    manifest.json           {"format": "audit-ledger-export/v1", "org_id": ..., "origin": ...,
                             "vkey": ..., "tree_size": N, "root_hash": hex, "checkpoints": [sizes]}
    vkey.txt                the ledger's verifier key (C2SP signed-note vkey), one line
    records.ndjson          line i (leaf index i, 0-based) is exactly log.record.leaf_bytes(record) of
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

FORMAT = "audit-ledger-export/v1"
DOSSIER_FORMAT = "audit-ledger-dossier/v1"
"""The ``format`` of a dispute dossier (GET .../entities/{id}/dossier), checked by the verifier."""
MANIFEST, VKEY, RECORDS, LEAF_HASHES, CHECKPOINTS = (
    "manifest.json", "vkey.txt", "records.ndjson", "leaf-hashes.txt", "checkpoints")
