"""The ledger's checkpoint signing key: created on first start, kept owner-read-only."""
from __future__ import annotations

import os
from pathlib import Path

from ledger.log.notes import Signer, generate_signer, signer_from_key_string


def load_or_create_signer(path: Path, name: str) -> Signer:
    """Read the signer key file, or create it (mode 0600) the first time."""
    if path.exists():
        return signer_from_key_string(path.read_text(encoding="ascii").strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    signer = generate_signer(name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(signer.key_string + "\n")
    return signer
