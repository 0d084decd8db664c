"""C2SP signed-note, tlog-checkpoint and tlog-proof formats with Ed25519; never reads the clock.

Note parsing mirrors Go's golang.org/x/mod/sumdb/note.  Base64 is RFC 4648 standard, padded and
decoded strictly (non-canonical encodings are rejected).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.log.merkle import HASH_SIZE, verify_inclusion

ALG_ED25519 = b"\x01"
SIG_PREFIX = "\u2014 "  # EM DASH, SPACE
MAX_SIGNATURES = 100  # Go's cap; the spec requires accepting at least 16
TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
TIMESTAMP_PREFIX = "timestamp "
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_RFC3339_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}", re.ASCII)


class NoteError(ValueError):
    """Base class of this module's errors; raised itself for invalid key names and key strings."""


class MalformedNoteError(NoteError):
    """The text is not a syntactically valid signed note."""


class UnknownKeyError(NoteError):
    """No signature in the note comes from a known key."""


class InvalidSignatureError(NoteError):
    """A signature from a known key does not verify."""


class CheckpointError(NoteError):
    """A checkpoint body violates c2sp.org/tlog-checkpoint."""


class ProofError(NoteError):
    """A tlog-proof is malformed or does not prove inclusion."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str, what: str, error: type[NoteError]) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise error(f"{what}: invalid base64") from exc
    if _b64(raw) != text:
        raise error(f"{what}: non-canonical base64")
    return raw


def _text(text: str | bytes, what: str, error: type[NoteError]) -> str:
    try:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        text.encode("utf-8")
    except UnicodeError as exc:
        raise error(f"{what} is not valid UTF-8") from exc
    if any(c < " " and c != "\n" for c in text):
        raise error(f"{what} contains an ASCII control character")
    return text


def _uint64(value: object, what: str, error: type[NoteError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise error(f"{what} must be an integer in [0, 2**64)")
    return value


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty and contain no Unicode space, '+' or control character."""
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def ed25519_key_id(name: str, public_key: bytes) -> int:
    """Key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + ALG_ED25519 + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _parse_key(name: str, hex_id: str, key64: str) -> bytes:
    if not is_valid_key_name(name) or not _HEX_ID.fullmatch(hex_id):
        raise NoteError("malformed key name or key ID")
    raw = _b64decode(key64, "key", NoteError)
    if len(raw) != 33 or raw[:1] != ALG_ED25519:
        raise NoteError("key is not a 0x01-prefixed 32-byte Ed25519 key")
    return raw[1:]


class Verifier:
    """An Ed25519 note verifier key; ``vkey`` is <name>+<hex key ID>+<base64(0x01 || key)>."""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_key_name(name) or not isinstance(public_key, bytes) or len(public_key) != 32:
            raise NoteError(f"invalid key name {name!r} or Ed25519 public key")
        self.name, self.public_key = name, public_key
        self.key_id = ed25519_key_id(name, public_key)
        self.vkey = f"{name}+{self.key_id:08x}+{_b64(ALG_ED25519 + public_key)}"

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse a verifier key string, checking that its key ID matches."""
        parts = (vkey.split("+", 2) + ["", ""])[:3]
        verifier = cls(parts[0], _parse_key(*parts))
        if verifier.key_id != int(parts[1], 16):
            raise NoteError("verifier key ID does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Check an Ed25519 signature over message."""
        try:
            return Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message) is None
        except InvalidSignature:
            return False


class Signer:
    """An Ed25519 note signer, from a 32-byte seed or an Ed25519PrivateKey."""

    def __init__(self, name: str, key: Ed25519PrivateKey | bytes) -> None:
        if isinstance(key, bytes):
            key = Ed25519PrivateKey.from_private_bytes(key)  # ValueError unless 32 bytes
        self._key = key
        self.verifier = Verifier(name, key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw))
        self.name, self.key_id, self.vkey = name, self.verifier.key_id, self.verifier.vkey

    @property
    def key_string(self) -> str:
        """Secret signer key string: PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>."""
        seed = self._key.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{_b64(ALG_ED25519 + seed)}"

    def sign(self, body: str) -> str:
        """Return the signed note: body (ending in newline), blank line, one signature line."""
        if not _text(body, "note body", MalformedNoteError).endswith("\n"):
            raise MalformedNoteError("note body must end with a newline")
        blob = self.key_id.to_bytes(4, "big") + self._key.sign(body.encode("utf-8"))
        return f"{body}\n{SIG_PREFIX}{self.name} {_b64(blob)}\n"


def generate_signer(name: str) -> Signer:
    """Create a signer with a fresh random Ed25519 key."""
    return Signer(name, Ed25519PrivateKey.generate())


def signer_from_key_string(key_string: str) -> Signer:
    """Parse PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>, checking the key ID."""
    parts = key_string.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("signer key must be PRIVATE+KEY+<name>+<id>+<key>")
    signer = Signer(parts[2], _parse_key(*parts[2:]))
    if signer.key_id != int(parts[3], 16):
        raise NoteError("signer key ID does not match its name and key")
    return signer


def split_note(text: str | bytes) -> tuple[str, list[tuple[str, int, bytes]]]:
    """Split a note at its last blank line into body and (name, key ID, signature) triples."""
    text = _text(text, "note", MalformedNoteError)
    split = text.rfind("\n\n")
    body, sigs = text[: split + 1], text[split + 2 :]
    if split < 0 or not sigs.endswith("\n") or sigs.count("\n") > MAX_SIGNATURES:
        raise MalformedNoteError(f"need text, a blank line, then 1 to {MAX_SIGNATURES} signature lines")
    signatures = []
    for line in sigs[:-1].split("\n"):
        name, sep, blob64 = line.removeprefix(SIG_PREFIX).partition(" ")
        if not line.startswith(SIG_PREFIX) or not sep or not is_valid_key_name(name):
            raise MalformedNoteError(f"malformed signature line {line[:40]!r}")
        blob = _b64decode(blob64, "signature", MalformedNoteError)
        if len(blob) < 5:
            raise MalformedNoteError("signature too short")
        signatures.append((name, int.from_bytes(blob[:4], "big"), blob[4:]))
    return body, signatures


def open_note(text: str | bytes, verifiers: Iterable[Verifier]) -> str:
    """Return the body if a known key signed it; unknown keys' lines and repeats are ignored."""
    body, signatures = split_note(text)
    known = {(v.name, v.key_id): v for v in verifiers}
    checked: set[tuple[str, int]] = set()
    for name, key_id, signature in signatures:
        verifier = known.get((name, key_id))
        if verifier is None or (name, key_id) in checked:
            continue
        checked.add((name, key_id))
        if not verifier.verify(body.encode("utf-8"), signature):
            raise InvalidSignatureError(f"invalid signature for key {name}+{key_id:08x}")
    if not checked:
        raise UnknownKeyError("note has no signature from a known key")
    return body


def _valid_timestamp(value: str) -> bool:
    try:
        return bool(_RFC3339_UTC.fullmatch(value)) and bool(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body; ``timestamp`` is carried as the first extension line."""

    origin: str
    size: int
    root_hash: bytes
    timestamp: str | None = None
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.origin):
            raise CheckpointError("origin must be non-empty, without spaces, '+' or control characters")
        _uint64(self.size, "tree size", CheckpointError)
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes")
        if self.timestamp is not None and not _valid_timestamp(self.timestamp):
            raise CheckpointError(f"timestamp {self.timestamp!r} is not a valid UTC 2006-01-02T15:04:05Z")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in self.extensions:
            if not line or "\n" in _text(line, "extension", CheckpointError) or line.startswith(TIMESTAMP_PREFIX):
                raise CheckpointError("extensions are non-empty single lines; timestamp is a field")

    def body(self) -> str:
        """The note text: origin, size, base64 root hash, then extension lines."""
        stamp = [TIMESTAMP_PREFIX + self.timestamp] if self.timestamp is not None else []
        lines = [self.origin, str(self.size), _b64(self.root_hash), *stamp, *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(body: str) -> Checkpoint:
    """Strictly parse a checkpoint note body (the text before the signatures)."""
    lines = body.removesuffix("\n").split("\n")
    if not body.endswith("\n") or len(lines) < 3 or not all(lines):
        raise CheckpointError("need origin, size and root hash lines, no empty line, a final newline")
    origin, size, root, *rest = lines
    if not _DECIMAL.fullmatch(size):
        raise CheckpointError("tree size must be decimal without leading zeros")
    root_hash = _b64decode(root, "root hash", CheckpointError)
    has_stamp = bool(rest) and rest[0].startswith(TIMESTAMP_PREFIX)
    timestamp = rest.pop(0).removeprefix(TIMESTAMP_PREFIX) if has_stamp else None
    return Checkpoint(origin, int(size), root_hash, timestamp, tuple(rest))


def format_tlog_proof(index: int, proof_hashes: Sequence[bytes], signed_checkpoint_note: str) -> str:
    """Serialize a c2sp.org/tlog-proof@v1 inclusion proof (without extra data)."""
    _uint64(index, "index", ProofError)
    if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in proof_hashes):
        raise ProofError(f"proof hashes must be {HASH_SIZE} bytes")
    split_note(signed_checkpoint_note)
    lines = [TLOG_PROOF_HEADER, f"index {index}", *(_b64(h) for h in proof_hashes)]
    return "\n".join(lines) + "\n\n" + signed_checkpoint_note


def parse_tlog_proof(text: str | bytes) -> tuple[int, list[bytes], str]:
    """Parse a tlog-proof into (index, inclusion proof hashes, signed checkpoint note)."""
    head, sep, note = _text(text, "tlog-proof", ProofError).partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != TLOG_PROOF_HEADER:
        raise ProofError(f"not a {TLOG_PROOF_HEADER} proof")
    if len(lines) > 1 and lines[1].startswith("extra "):
        _b64decode(lines.pop(1).removeprefix("extra "), "extra data", ProofError)
    if len(lines) < 2 or not lines[1].startswith("index ") or not _DECIMAL.fullmatch(lines[1][6:]):
        raise ProofError("missing or malformed index line")
    index = _uint64(int(lines[1][6:]), "index", ProofError)
    hashes = [_b64decode(line, "proof hash", ProofError) for line in lines[2:]]
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(f"proof hashes must be {HASH_SIZE} bytes")
    return index, hashes, note


def verify_tlog_proof(
    text: str | bytes, leaf_hash: bytes, verifiers: Iterable[Verifier], origin: str | None = None
) -> Checkpoint:
    """Open the checkpoint and check that leaf_hash (an RFC 9162 leaf hash) is included."""
    index, hashes, note = parse_tlog_proof(text)
    checkpoint = parse_checkpoint(open_note(note, verifiers))
    if origin is not None and checkpoint.origin != origin:
        raise ProofError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    if index >= checkpoint.size:
        raise ProofError(f"index {index} is outside the checkpointed tree of size {checkpoint.size}")
    if not verify_inclusion(leaf_hash, index, checkpoint.size, hashes, checkpoint.root_hash):
        raise ProofError(f"inclusion proof for index {index} does not match the checkpoint root hash")
    return checkpoint
