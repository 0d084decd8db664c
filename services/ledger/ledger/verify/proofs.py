"""Offline verification of checkpoints, dossiers and exports: no database, no server, no clock.

What is trusted: the verifier key (vkey) and nothing else. Pass the ledger's key from a source
other than the file under check (a receipt the cooperative kept, ``GET /v1/log/key`` saved
earlier, the key the street office published). Without one, the key inside the file is used and
the result warns that this proves only that the file is consistent with itself.

What is checked: each signed checkpoint's Ed25519 signature (C2SP signed-note); each event's
RFC 9162 leaf hash, recomputed from its record's canonical bytes (``records.leaf_bytes``), against
the signed root through its inclusion proof (dossier) or by rebuilding the whole tree (export,
see ``ledger.verify.export``). Every mismatch is reported with the event's position and leaf index;
the first one is ``Result.first_bad``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.log import merkle
from ledger.log.export_format import DOSSIER_FORMAT
from ledger.log.notes import (
    Checkpoint,
    NoteError,
    Verifier,
    open_note,
    parse_checkpoint,
    parse_tlog_proof,
    verify_tlog_proof,
)
from ledger.log.record import leaf_bytes


@dataclass(frozen=True)
class Failure:
    """One failed check; ``position`` and ``leaf_index`` name the event when there is one."""

    message: str
    position: int | None = None
    leaf_index: int | None = None


@dataclass
class Result:
    """What a verification found: the checks passed, the failures, the warnings."""

    subject: str
    passed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 when everything verified, 1 otherwise (the CLI's exit status)."""
        return 0 if self.ok else 1

    @property
    def first_bad(self) -> Failure | None:
        """The failure of the earliest event position, or the first failure when none names one."""
        named = [f for f in self.failures if f.position is not None]
        if named:
            return min(named, key=lambda f: (f.position, f.leaf_index or 0))
        return self.failures[0] if self.failures else None

    def fail(self, message: str, position: int | None = None, leaf_index: int | None = None) -> None:
        self.failures.append(Failure(message, position, leaf_index))


def load_verifier(given: str | None, embedded: str | None, result: Result) -> Verifier | None:
    """The key to verify with: the one given, else the file's own (with a warning); None on failure."""
    text = given.strip() if given else None
    if text is None:
        if not embedded:
            result.fail("no verifier key: pass --vkey (the ledger's key, e.g. from GET /v1/log/key)")
            return None
        text = embedded.strip()
        result.warnings.append("verified against the key inside the file itself; compare it with the ledger key "
                               f"you trust: {text}")
    elif embedded and embedded.strip() != text:
        result.warnings.append(f"the file names another key ({embedded.strip()}); verified against the one given")
    try:
        return Verifier.from_vkey(text)
    except NoteError as exc:
        result.fail(f"verifier key {text!r} is invalid: {exc}")
        return None


def read_key_option(value: str | None) -> str | None:
    """A --vkey value: the key itself, or the path of a file holding it."""
    if value and Path(value).is_file():
        return Path(value).read_text(encoding="utf-8").strip()
    return value


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    """Check a signed checkpoint note and parse it; NoteError when it does not verify."""
    checkpoint = parse_checkpoint(open_note(note, [verifier]))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint


def describe(checkpoint: Checkpoint) -> str:
    return (f"{checkpoint.origin} size {checkpoint.size} root {checkpoint.root_hash.hex()}"
            + (f" at {checkpoint.timestamp}" if checkpoint.timestamp else ""))


def verify_checkpoint(note: str, vkey: str, origin: str | None = None) -> Result:
    """Verify one signed checkpoint note against a verifier key (and an expected origin)."""
    result = Result("checkpoint")
    verifier = load_verifier(vkey, None, result)
    if verifier is None:
        return result
    try:
        checkpoint = open_checkpoint(note, verifier, origin)
    except NoteError as exc:
        result.fail(f"checkpoint does not verify: {exc}")
        return result
    result.passed.append(f"signed by {verifier.name}+{verifier.key_id:08x}: {describe(checkpoint)}")
    return result


def verify_dossier(doc: dict[str, Any], vkey: str | None = None) -> Result:
    """Verify a dossier: its checkpoint's signature, then every event's leaf and inclusion proof."""
    if doc.get("format") != DOSSIER_FORMAT:
        result = Result("not a dossier")
        result.fail(f"not a dossier: its format is {doc.get('format')!r}, a dossier's is {DOSSIER_FORMAT!r} "
                    "(GET /v1/orgs/{org}/entities/{id}/dossier)")
        return result
    result = Result(f"dossier of {doc.get('entity_id')} in {doc.get('org_id')}")
    verifier = load_verifier(vkey, doc.get("vkey"), result)
    if verifier is None:
        return result
    try:
        checkpoint = open_checkpoint(str(doc["checkpoint"]), verifier, doc.get("origin"))
    except (KeyError, NoteError) as exc:
        result.fail(f"the dossier's checkpoint does not verify: {exc}")
        return result
    result.passed.append(f"checkpoint signed by {verifier.name}: {describe(checkpoint)}")
    if doc.get("tree_size") != checkpoint.size or doc.get("root_hash") != checkpoint.root_hash.hex():
        result.fail("the dossier's tree_size/root_hash differ from its signed checkpoint")
    if not checkpoint.origin.endswith(f"/{doc.get('org_id')}"):
        result.fail(f"the checkpoint is of the log {checkpoint.origin}, not of {doc.get('org_id')}")
    events = doc.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) and isinstance(e.get("record"), dict)
                                               for e in events):
        result.fail("the dossier's events must be a list of objects, each with a record")
        return result
    if not any(e["record"].get("entity_id") == doc.get("entity_id") for e in events):
        result.fail(f"the dossier holds no event of its entity {doc.get('entity_id')}")
    for number, event in enumerate(events):
        try:
            _check_event(event, doc, checkpoint, verifier, result)
        except (KeyError, TypeError, ValueError, NoteError) as exc:
            result.fail(f"event {number} of the dossier is malformed: {exc!r}")
    _check_versions(events, result)
    if result.ok:
        result.passed.append(f"{len(events)} events: each record hashes to a leaf included in the signed tree")
    return result


def _check_event(event: dict[str, Any], doc: dict[str, Any], checkpoint: Checkpoint, verifier: Verifier,
                 result: Result) -> None:
    record, index = event["record"], int(event["leaf_index"])
    position = record.get("position")
    where = f"position {position} (leaf {index}, {record.get('type')} of {record.get('entity_id')})"
    if record.get("org_id") != doc.get("org_id") or event.get("position") != position:
        result.fail(f"{where}: the record's org_id or position differs from the dossier's", position, index)
    leaf = merkle.leaf_hash(leaf_bytes(record))
    proof = [bytes.fromhex(h) for h in event["inclusion_proof"]]
    if not merkle.verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root_hash):
        result.fail(f"{where}: the record's bytes do not match the leaf the signed checkpoint commits to",
                    position, index)
        return
    tlog_index, _, note = parse_tlog_proof(event["tlog_proof"])
    if tlog_index != index or note != doc["checkpoint"]:
        result.fail(f"{where}: its tlog-proof names another leaf or another checkpoint", position, index)
        return
    verify_tlog_proof(event["tlog_proof"], leaf, [verifier], checkpoint.origin)


def _check_versions(events: list[dict[str, Any]], result: Result) -> None:
    """Each entity's events must be versions 1..k with none left out (the tail cannot be checked)."""
    versions: dict[str, list[int]] = defaultdict(list)
    for event in events:
        record = event["record"]
        version = record.get("entity_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            result.fail(f"an event of {record.get('entity_id')} has no valid entity_version: {version!r}")
            continue
        versions[str(record.get("entity_id"))].append(version)
    for entity_id, seen in versions.items():
        missing = sorted(set(range(1, max(seen) + 1)) - set(seen))
        if missing:
            result.fail(f"entity {entity_id}: the dossier leaves out its events of version(s) {missing}")


def verify_consistency(doc: dict[str, Any], vkey: str) -> Result:
    """Verify a consistency proof (GET .../log/proofs/consistency) between its two signed checkpoints."""
    result = Result(f"consistency of {doc.get('org_id')} from size {doc.get('first')} to {doc.get('second')}")
    verifier = load_verifier(vkey, None, result)
    if verifier is None:
        return result
    try:
        older, newer = (open_checkpoint(str(doc[key]), verifier) for key in ("first_checkpoint", "second_checkpoint"))
        proof = [bytes.fromhex(h) for h in doc["proof"]]
    except (KeyError, ValueError, NoteError) as exc:
        result.fail(f"both sizes need a checkpoint signed by the key, and a proof: {exc}")
        return result
    if older.origin != newer.origin:
        result.fail(f"the checkpoints are of two logs: {older.origin} and {newer.origin}")
    elif not merkle.verify_consistency(older.size, newer.size, older.root_hash, newer.root_hash, proof):
        result.fail(f"the tree of size {older.size} is not a prefix of the tree of size {newer.size}")
    else:
        result.passed.append(f"{describe(older)} is a prefix of {describe(newer)}")
    return result
