"""Tests for ledger.log.notes: C2SP signed-note, tlog-checkpoint and tlog-proof."""
from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.log.merkle import (
    InMemoryNodeStore,
    append_leaves,
    inclusion_proof,
    leaf_hash,
    root_from_frontier,
)
from ledger.log.notes import (
    Checkpoint,
    CheckpointError,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    ProofError,
    Signer,
    UnknownKeyError,
    Verifier,
    format_tlog_proof,
    generate_signer,
    open_note,
    parse_checkpoint,
    parse_tlog_proof,
    signer_from_key_string,
    split_note,
    verify_tlog_proof,
)

# Vectors from Go's golang.org/x/mod/sumdb/note tests (the reference implementation).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

ORIGIN = "audit-ledger.example/TC-001"
STAMP = "2024-05-01T12:34:56Z"
SEED_A, SEED_B = bytes(range(32)), bytes(range(32, 64))


def spec_key_id(name: str, public_key: bytes) -> int:
    """Key ID straight from the signed-note spec formula."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public_key).digest()[:4], "big")


def sig_blob(note: str, line: int = 0) -> bytes:
    sig_line = note[note.rindex("\n\n") + 2 :].splitlines()[line]
    return base64.b64decode(sig_line.split(" ")[2])


def replace_sig_blob(note: str, blob: bytes) -> str:
    body, sigs = note[: note.rindex("\n\n") + 2], note[note.rindex("\n\n") + 2 :]
    dash, name, _ = sigs.split(" ")
    return f"{body}{dash} {name} {base64.b64encode(blob).decode()}\n"


# ---------------------------------------------------------------- keys


def test_go_reference_vectors() -> None:
    peter = signer_from_key_string(PETER_SKEY)
    assert peter.name == "PeterNeumann" and peter.key_id == 0xC74F20A3
    assert peter.vkey == PETER_VKEY and peter.key_string == PETER_SKEY
    assert peter.sign(GO_TEXT) == GO_TEXT + "\n" + PETER_SIG
    both = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(both, [Verifier.from_vkey(PETER_VKEY)]) == GO_TEXT
    assert open_note(both, [Verifier.from_vkey(ENOCH_VKEY)]) == GO_TEXT
    assert open_note(both.encode(), [Verifier.from_vkey(PETER_VKEY), Verifier.from_vkey(ENOCH_VKEY)]) == GO_TEXT


def test_key_id_matches_spec_formula() -> None:
    signer = Signer("audit-ledger.example/log", SEED_A)
    expected = spec_key_id("audit-ledger.example/log", signer.verifier.public_key)
    assert signer.key_id == expected
    assert signer.vkey.split("+")[1] == f"{expected:08x}"
    assert int.from_bytes(sig_blob(signer.sign("hello\n"))[:4], "big") == expected
    assert base64.b64decode(signer.vkey.split("+", 2)[2]) == b"\x01" + signer.verifier.public_key


def test_key_string_round_trips() -> None:
    signer = generate_signer("审计.example/账本")
    again = signer_from_key_string(signer.key_string)
    assert (again.name, again.key_id, again.vkey) == (signer.name, signer.key_id, signer.vkey)
    assert again.sign("x\n") == signer.sign("x\n")
    assert Verifier.from_vkey(signer.vkey).vkey == signer.vkey
    assert signer.key_string.startswith(f"PRIVATE+KEY+{signer.name}+{signer.key_id:08x}+")


@pytest.mark.parametrize("key", [PETER_VKEY, PETER_SKEY])
def test_mangled_key_strings_are_rejected(key: str) -> None:
    parse = Verifier.from_vkey if key == PETER_VKEY else signer_from_key_string
    parse(key)
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(ValueError):
                    parse(key[i:j])
    for i in range(len(key)):
        with pytest.raises(ValueError):
            parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])


@pytest.mark.parametrize("name", ["", "has space", "a+b", "tab\there", "ideographic\u3000space", "nl\n"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(NoteError):
        Signer(name, SEED_A)


def test_bad_key_material() -> None:
    with pytest.raises(ValueError):
        Signer("n", b"short")
    with pytest.raises(NoteError):
        Verifier("n", b"\x00" * 31)
    wrong_alg = "n+00000000+" + base64.b64encode(b"\x02" + bytes(32)).decode()
    with pytest.raises(NoteError):
        Verifier.from_vkey(wrong_alg)


# ---------------------------------------------------------------- signed notes


BODY = "audit-ledger.example/TC-001\n7\nbm90IGEgcmVhbCBoYXNoIGJ1dCAzMiBieXRlcyEhISE=\n"


def test_sign_and_open_with_vkey_string() -> None:
    signer = Signer("audit-ledger.example/TC-001", SEED_A)
    note = signer.sign(BODY)
    assert note.startswith(BODY + "\n\u2014 audit-ledger.example/TC-001 ")
    assert len(sig_blob(note)) == 4 + 64
    assert open_note(note, [Verifier.from_vkey(signer.vkey)]) == BODY


def test_tampered_body_fails() -> None:
    signer = Signer("k", SEED_A)
    note, verifier = signer.sign(BODY), signer.verifier
    for i, ch in enumerate(BODY):
        if ch != "\n":
            bad = note[:i] + ("A" if ch != "A" else "B") + note[i + 1 :]
            with pytest.raises(InvalidSignatureError):
                open_note(bad, [verifier])


def test_tampered_signature_fails() -> None:
    signer = Signer("k", SEED_A)
    note, verifier = signer.sign(BODY), signer.verifier
    blob = sig_blob(note)
    for i in range(len(blob)):
        bad = replace_sig_blob(note, blob[:i] + bytes([blob[i] ^ 0x40]) + blob[i + 1 :])
        expected = UnknownKeyError if i < 4 else InvalidSignatureError
        with pytest.raises(expected):
            open_note(bad, [verifier])


def test_unknown_key_fails() -> None:
    note = Signer("k", SEED_A).sign(BODY)
    with pytest.raises(UnknownKeyError):
        open_note(note, [Signer("k", SEED_B).verifier])
    with pytest.raises(UnknownKeyError):
        open_note(note, [Verifier("other", Signer("k", SEED_A).verifier.public_key)])
    with pytest.raises(UnknownKeyError):
        open_note(note, [])


def test_extra_unknown_signatures_are_ignored() -> None:
    a, b = Signer("log.example", SEED_A), Signer("witness.example", SEED_B)
    sig_b = b.sign(BODY).split("\n\n")[-1]
    junk = "\u2014 stranger.example " + base64.b64encode(b"\x00" * 68).decode() + "\n"
    note = a.sign(BODY) + sig_b + junk
    assert open_note(note, [a.verifier]) == BODY
    assert open_note(note, [b.verifier]) == BODY
    assert open_note(note, [a.verifier, b.verifier]) == BODY
    with pytest.raises(UnknownKeyError):
        open_note(note, [Signer("x", bytes(32)).verifier])


def test_a_bad_signature_from_a_known_key_rejects_the_note() -> None:
    a, b = Signer("log.example", SEED_A), Signer("witness.example", SEED_B)
    forged_b = replace_sig_blob(b.sign(BODY), sig_blob(b.sign(BODY))[:4] + bytes(64)).split("\n\n")[-1]
    with pytest.raises(InvalidSignatureError):
        open_note(a.sign(BODY) + forged_b, [a.verifier, b.verifier])
    assert open_note(a.sign(BODY) + forged_b, [a.verifier]) == BODY


def test_first_signature_from_a_key_decides() -> None:
    """As in Go's note.Open: later signatures from an already-checked key are skipped."""
    signer = Signer("k", SEED_A)
    good = signer.sign(BODY)
    bad_line = replace_sig_blob(good, sig_blob(good)[:4] + bytes(64)).split("\n\n")[-1]
    assert open_note(good + bad_line, [signer.verifier]) == BODY
    with pytest.raises(InvalidSignatureError):
        open_note(BODY + "\n" + bad_line + good.split("\n\n")[-1], [signer.verifier])


def test_body_may_contain_blank_lines_and_unicode() -> None:
    body = "Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n审计账本：每个合作社一个日志。\n"
    signer = Signer("quasimodo.example/salvatore", SEED_A)
    assert open_note(signer.sign(body), [signer.verifier]) == body


def good_note() -> str:
    return Signer("k", SEED_A).sign(BODY)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n[:-1],  # signature line without final newline
        lambda n: n.replace("\u2014 ", "- "),  # hyphen instead of em dash
        lambda n: n.replace("\u2014 k ", "\u2014 k  "),  # empty base64
        lambda n: n.replace("\u2014 k ", "\u2014 k+1 "),  # '+' in name
        lambda n: n.replace("7\n", "7\r\n"),  # control character
        lambda n: n[:-3] + "!=\n",  # bad base64
        lambda n: n + "unexpected line\n",  # non-signature line in signature block
        lambda n: n.split("\n\n")[0] + "\n\n\u2014 k AAAAAA==\n",  # too short for key ID + signature
        lambda n: n + n.split("\n\n")[1] * 100,  # 101 signatures
        lambda n: n.split("\n\n")[0] + "\n\n",  # no signatures at all
    ],
)
def test_malformed_notes(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MalformedNoteError):
        open_note(mangle(good_note()), [Signer("k", SEED_A).verifier])


def test_malformed_bytes_and_bodies() -> None:
    with pytest.raises(MalformedNoteError):
        open_note(b"\xff" + good_note().encode(), [Signer("k", SEED_A).verifier])
    for body in ["no newline", "tab\there\n", "bell\x07\n"]:
        with pytest.raises(MalformedNoteError):
            Signer("k", SEED_A).sign(body)
    assert len(split_note(good_note() + good_note().split("\n\n")[1] * 99)[1]) == 100


body_lines = st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=50, deadline=None)
@given(st.lists(body_lines, min_size=1, max_size=6))
def test_any_text_round_trips(lines: list[str]) -> None:
    body = "\n".join(lines) + "\n"
    signer = Signer("k", SEED_B)
    assert open_note(signer.sign(body), [signer.verifier]) == body


# ---------------------------------------------------------------- checkpoints

ROOT = hashlib.sha256(b"root").digest()


def test_checkpoint_body_format_and_round_trip() -> None:
    cp = Checkpoint(ORIGIN, 5, ROOT, STAMP)
    assert cp.body() == f"{ORIGIN}\n5\n{base64.b64encode(ROOT).decode()}\ntimestamp {STAMP}\n"
    assert parse_checkpoint(cp.body()) == cp
    plain = Checkpoint(ORIGIN, 0, ROOT)
    assert plain.body().count("\n") == 3 and parse_checkpoint(plain.body()) == plain
    ext = Checkpoint(ORIGIN, 12, ROOT, STAMP, ["备注 审计账本 ✓", "x"])  # type: ignore[arg-type]
    assert ext.extensions == ("备注 审计账本 ✓", "x") and hash(ext)
    assert parse_checkpoint(ext.body()) == ext


def test_spec_example_checkpoint_parses() -> None:
    cp = parse_checkpoint("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
    assert (cp.origin, cp.size, cp.timestamp, cp.extensions) == ("example.com/behind-the-sofa", 20852163, None, ())


GOOD_ROOT = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n05\n{GOOD_ROOT}\n",  # leading zero
        f"{ORIGIN}\n00\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n-1\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n+5\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n 5\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n５\n{GOOD_ROOT}\n",  # fullwidth digit
        f"{ORIGIN}\n1_000\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n{2**64}\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT[:-1]}\n",  # missing padding
        f"{ORIGIN}\n5\n{GOOD_ROOT[:-2]}!=\n",  # bad character
        f"{ORIGIN}\n5\n{GOOD_ROOT[:-2]}{'B' if GOOD_ROOT[-2] != 'B' else 'C'}=\n",  # unused bits set: non-canonical
        f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte hash
        f"{ORIGIN}\n5\n{base64.b64encode(ROOT + b'x').decode()}\n",  # 33-byte hash
        f"{ORIGIN}\n5\n",  # missing root line
        f"{ORIGIN}\n5\n{GOOD_ROOT}",  # missing final newline
        f"{ORIGIN}\n5\n{GOOD_ROOT}\n\n",  # empty extension line
        f"\n5\n{GOOD_ROOT}\n",  # empty origin
        f"bad origin\n5\n{GOOD_ROOT}\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp 2024-05-01T12:34:56+00:00\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp 2024-05-01 12:34:56Z\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp 2024-02-30T00:00:00Z\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp 2024-05-01T12:34:56.5Z\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp 2024-05-01T12:34:56z\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\nother\ntimestamp {STAMP}\n",  # timestamp not first
        f"{ORIGIN}\n5\n{GOOD_ROOT}\ntimestamp {STAMP}\ntimestamp {STAMP}\n",
        f"{ORIGIN}\n5\n{GOOD_ROOT}\nbell\x07\n",
    ],
)
def test_checkpoint_parse_is_strict(body: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(body)


def test_checkpoint_constructor_validates() -> None:
    bad_args = [(ORIGIN, -1, ROOT), (ORIGIN, True, ROOT), (ORIGIN, 2**64, ROOT), (ORIGIN, 1, ROOT[:31]), ("", 1, ROOT)]
    for args in bad_args:
        with pytest.raises(CheckpointError):
            Checkpoint(*args)  # type: ignore[arg-type]
    for ext in [("",), ("two\nlines",), (f"timestamp {STAMP}",)]:
        with pytest.raises(CheckpointError):
            Checkpoint(ORIGIN, 1, ROOT, None, ext)
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, ROOT, "yesterday")
    assert Checkpoint(ORIGIN, 2**64 - 1, ROOT).size == 2**64 - 1


# ---------------------------------------------------------------- tlog-proof


def build_log(n: int) -> tuple[list[bytes], InMemoryNodeStore, bytes]:
    leaves = [leaf_hash(f"事件 {i}".encode()) for i in range(n)]
    store = InMemoryNodeStore()
    nodes, frontier = append_leaves([], 0, leaves)
    store.put_nodes(nodes)
    return leaves, store, root_from_frontier(frontier)


def signed_proof(n: int, index: int, extensions: tuple[str, ...] = ()) -> tuple[str, bytes, Signer, Checkpoint]:
    leaves, store, root = build_log(n)
    signer = Signer(ORIGIN, SEED_A)
    cp = Checkpoint(ORIGIN, n, root, STAMP, extensions)
    text = format_tlog_proof(index, inclusion_proof(store, index, n), signer.sign(cp.body()))
    return text, leaves[index], signer, cp


def test_tlog_proof_format_and_round_trip() -> None:
    leaves, store, root = build_log(13)
    note = Signer(ORIGIN, SEED_A).sign(Checkpoint(ORIGIN, 13, root, STAMP).body())
    proof = inclusion_proof(store, 6, 13)
    text = format_tlog_proof(6, proof, note)
    hashes = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    assert text == f"c2sp.org/tlog-proof@v1\nindex 6\n{hashes}\n{note}"
    assert parse_tlog_proof(text) == (6, proof, note)
    assert parse_tlog_proof(text.encode()) == (6, proof, note)


@pytest.mark.parametrize("n", [1, 2, 13, 64])
def test_tlog_proof_verifies_for_every_index(n: int) -> None:
    for index in range(n):
        text, leaf, signer, cp = signed_proof(n, index)
        assert verify_tlog_proof(text, leaf, [Verifier.from_vkey(signer.vkey)], origin=ORIGIN) == cp


def test_tlog_proof_with_unicode_extension() -> None:
    text, leaf, signer, cp = signed_proof(9, 4, ("备注 合作社审计 ✓",))
    assert verify_tlog_proof(text, leaf, [signer.verifier]).extensions == ("备注 合作社审计 ✓",)


def test_tlog_proof_failures() -> None:
    text, leaf, signer, _ = signed_proof(13, 6)
    verifiers = [signer.verifier]
    index, proof, note = parse_tlog_proof(text)
    for other in [5, 7, 12]:
        with pytest.raises(ProofError, match="does not match"):
            verify_tlog_proof(format_tlog_proof(other, proof, note), leaf, verifiers)
    with pytest.raises(ProofError, match="outside"):
        verify_tlog_proof(format_tlog_proof(13, proof, note), leaf, verifiers)
    for i in range(len(proof)):
        bad = proof[:i] + [bytes([proof[i][0] ^ 1]) + proof[i][1:]] + proof[i + 1 :]
        with pytest.raises(ProofError, match="does not match"):
            verify_tlog_proof(format_tlog_proof(index, bad, note), leaf, verifiers)
    with pytest.raises(ProofError):
        verify_tlog_proof(format_tlog_proof(index, proof[:-1], note), leaf, verifiers)
    with pytest.raises(ProofError):
        verify_tlog_proof(text, leaf_hash(b"something else"), verifiers)
    with pytest.raises(ProofError, match="origin"):
        verify_tlog_proof(text, leaf, verifiers, origin="audit-ledger.example/TC-002")
    with pytest.raises(UnknownKeyError):
        verify_tlog_proof(text, leaf, [Signer(ORIGIN, SEED_B).verifier])
    root_line = note.split("\n")[2]
    forged_root = base64.b64encode(bytes(32)).decode()
    with pytest.raises(InvalidSignatureError):
        verify_tlog_proof(text.replace(root_line, forged_root), leaf, verifiers)


def test_spec_example_tlog_proof_parses() -> None:
    example = (
        "c2sp.org/tlog-proof@v1\n"
        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "\n"
        "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n"
        "\u2014 example.com/fancylog hI2DJw==\n"
    )
    index, hashes, note = parse_tlog_proof(example)
    assert index == 73894 and len(hashes) == 2 and note.startswith("example.com/fancylog\n109482\n")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        lambda t: t.replace("index 6\n", "index 06\n"),
        lambda t: t.replace("index 6\n", "index -6\n"),
        lambda t: t.replace("index 6\n", "index  6\n"),
        lambda t: t.replace("index 6\n", ""),
        lambda t: t.replace("index 6\n", "index 6\nextra AAAA\n"),  # extra must precede index
        lambda t: t.replace("index 6\n", "extra !!!!\nindex 6\n"),
        lambda t: t.replace("index 6\n", "index 6\nAAAA\n"),  # 3-byte hash
        lambda t: t.replace("index 6\n", "index 6\n" + "A" * 43 + "\n"),  # unpadded
        lambda t: t.replace("\n\n", "\n", 1),  # no blank line before the checkpoint
        lambda t: t.replace("\n", "\r\n", 1),
    ],
)
def test_malformed_tlog_proofs(mangle) -> None:  # type: ignore[no-untyped-def]
    text, _, _, _ = signed_proof(13, 6)
    with pytest.raises(ProofError):
        parse_tlog_proof(mangle(text))


def test_extra_line_is_skipped_and_format_validates() -> None:
    text, leaf, signer, cp = signed_proof(13, 6)
    with_extra = text.replace("index 6\n", "extra aGVsbG8=\nindex 6\n")
    assert verify_tlog_proof(with_extra, leaf, [signer.verifier]) == cp
    _, proof, note = parse_tlog_proof(text)
    for bad in [(-1, proof, note), (True, proof, note), (6, [b"short"], note), (6, proof, "not a note")]:
        with pytest.raises(NoteError):
            format_tlog_proof(*bad)  # type: ignore[arg-type]
