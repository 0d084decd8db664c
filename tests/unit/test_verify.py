"""The offline verifier on hand-built exports, dossiers and checkpoints (no database, no server)."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledger.adapters.sql.proofs import Leaf
from ledger.application.export import write_export
from ledger.entrypoints.cli.main import app as cli
from ledger.log import merkle
from ledger.log.notes import Checkpoint, Signer, format_tlog_proof, generate_signer
from ledger.log.record import Record, leaf_bytes, leaf_hash_of
from ledger.verify.export import verify_export_dir as verify_export
from ledger.verify.proofs import (
    verify_checkpoint,
    verify_consistency,
    verify_dossier,
)

ORIGIN = "audit-ledger.test/TC-001"
SIGNER = generate_signer("audit-ledger.test")


def record(position: int, version: int, amount: int, entity_id: str = "L-1") -> dict[str, Any]:
    return {"position": position, "event_id": f"e-{position}", "org_id": "TC-001", "entity_id": entity_id,
            "entity_version": version, "type": "RentReceived", "schema_version": 1, "effective_date": "2025-01-10",
            "recorded_at": f"2026-03-01T08:00:0{version}+00:00", "actor": "cooperative:TC-001", "idempotency_key": None,
            "flags": [], "data": {"amount": amount, "note": "补交\u2028第四季度租金"}}


RECORDS = [record(10 + 3 * i, i + 1, 100_000 + i) for i in range(7)]
SIZES = [1, 3, 4, 7]


def sign(size: int, hashes: list[bytes], signer: Signer = SIGNER, stamp: int = 0) -> str:
    root = merkle.root_from_leaf_hashes(hashes[:size])
    return signer.sign(Checkpoint(ORIGIN, size, root, f"2026-03-01T08:{size + stamp:02d}:00Z").body())


def build(tmp_path: Path, records: list[dict[str, Any]] = RECORDS, sizes: list[int] = SIZES) -> Path:
    hashes = [leaf_hash_of(r) for r in records]
    leaves = [Leaf(i, Record.from_dict(r), h, h) for i, (r, h) in enumerate(zip(records, hashes))]
    out = tmp_path / "export"
    write_export(out, "TC-001", ORIGIN, SIGNER.vkey, sizes[-1], merkle.root_from_leaf_hashes(hashes[:sizes[-1]]),
                 leaves, [(s, sign(s, hashes)) for s in sizes])
    return out


def rewrite_line(out: Path, index: int, new: dict[str, Any]) -> None:
    lines = (out / "records.ndjson").read_bytes().split(b"\n")
    lines[index] = leaf_bytes(new)
    (out / "records.ndjson").write_bytes(b"\n".join(lines))


def test_an_intact_export_verifies_and_each_line_is_the_leaf_bytes(tmp_path: Path) -> None:
    out = build(tmp_path)
    lines = (out / "records.ndjson").read_bytes().split(b"\n")
    assert lines[:-1] == [leaf_bytes(r) for r in RECORDS] and lines[-1] == b""
    assert "\u2028".encode() in lines[0], "U+2028 stays raw; the verifier splits on \\n only"
    result = verify_export(out, SIGNER.vkey)
    assert result.ok and not result.warnings, result
    assert verify_export(out).warnings, "without --vkey the export's own key is used, with a warning"


def test_a_changed_amount_is_named_by_position_and_leaf_index(tmp_path: Path) -> None:
    out = build(tmp_path)
    rewrite_line(out, 5, {**RECORDS[5], "data": {**RECORDS[5]["data"], "amount": 1}})
    result = verify_export(out, SIGNER.vkey)
    assert result.exit_code == 1
    assert result.first_bad is not None and (result.first_bad.position, result.first_bad.leaf_index) == (25, 5)
    assert [f.leaf_index for f in result.failures] == [5]


def test_without_recorded_leaf_hashes_only_the_range_between_checkpoints_is_named(tmp_path: Path) -> None:
    out = build(tmp_path)
    rewrite_line(out, 5, {**RECORDS[5], "actor": "someone else"})
    (out / "leaf-hashes.txt").unlink()
    result = verify_export(out, SIGNER.vkey)
    assert not result.ok and "leaves 4..6" in result.failures[0].message
    assert result.first_bad is not None and result.first_bad.position is None


def test_forged_leaf_hashes_are_not_believed(tmp_path: Path) -> None:
    out = build(tmp_path)
    forged = {**RECORDS[2], "data": {**RECORDS[2]["data"], "amount": 1}}
    rewrite_line(out, 2, forged)
    hashes = (out / "leaf-hashes.txt").read_text().splitlines()
    hashes[2] = f"{forged['position']} {leaf_hash_of(forged).hex()}"
    (out / "leaf-hashes.txt").write_text("\n".join(hashes) + "\n")
    messages = [f.message for f in verify_export(out, SIGNER.vkey).failures]
    assert any("does not reproduce the signed roots" in m for m in messages)
    assert any(m.startswith("leaves 1..2") for m in messages)


def test_a_deleted_last_record_is_named_as_missing(tmp_path: Path) -> None:
    out = build(tmp_path)
    lines = (out / "records.ndjson").read_bytes().split(b"\n")
    (out / "records.ndjson").write_bytes(b"\n".join(lines[:-2] + [b""]))
    result = verify_export(out, SIGNER.vkey)
    assert result.first_bad is not None and (result.first_bad.position, result.first_bad.leaf_index) == (28, 6)
    assert "missing" in result.first_bad.message


def test_records_beyond_the_last_checkpoint_fail(tmp_path: Path) -> None:
    out = build(tmp_path)
    (out / "checkpoints" / "7.note").unlink()
    messages = [f.message for f in verify_export(out, SIGNER.vkey).failures]
    assert messages == ["manifest.json says size 7, the latest signed checkpoint 4",
                        "records.ndjson has 7 lines; leaves 4.. are covered by no signed checkpoint"]


def test_checkpoints_of_another_key_or_edited_ones_fail(tmp_path: Path) -> None:
    out = build(tmp_path)
    stranger = generate_signer("audit-ledger.test")
    (out / "checkpoints" / "3.note").write_text(sign(3, [leaf_hash_of(r) for r in RECORDS], stranger))
    note = (out / "checkpoints" / "4.note").read_text()
    (out / "checkpoints" / "4.note").write_text(note.replace("\n4\n", "\n5\n", 1))
    messages = [f.message for f in verify_export(out, SIGNER.vkey).failures]
    assert any(m.startswith("checkpoints/3.note does not verify") for m in messages)
    assert any(m.startswith("checkpoints/4.note does not verify: invalid signature") for m in messages)
    assert verify_export(out, stranger.vkey).warnings == [f"the file names another key ({SIGNER.vkey}); "
                                                          "verified against the one given"]


def test_a_forked_history_is_not_consistent(tmp_path: Path) -> None:
    out = build(tmp_path)
    other = [record(10, 1, 100_000), record(11, 2, 999)]
    (out / "checkpoints" / "2.note").write_text(sign(2, [leaf_hash_of(r) for r in other]))
    result = verify_export(out, SIGNER.vkey)
    assert not result.ok and "checkpoint of size 2" in result.failures[-1].message


def test_checkpoints_dated_backwards_fail(tmp_path: Path) -> None:
    out = build(tmp_path)
    hashes = [leaf_hash_of(r) for r in RECORDS]
    (out / "checkpoints" / "3.note").write_text(sign(3, hashes, stamp=30))
    messages = [f.message for f in verify_export(out, SIGNER.vkey).failures]
    assert messages == ["the checkpoint of size 4 is dated before that of size 3"]


def test_verify_checkpoint_checks_key_and_origin() -> None:
    note = sign(3, [leaf_hash_of(r) for r in RECORDS])
    good = verify_checkpoint(note, SIGNER.vkey, ORIGIN)
    assert good.ok and "size 3" in good.passed[0]
    assert not verify_checkpoint(note, SIGNER.vkey, "audit-ledger.test/TC-002").ok
    assert not verify_checkpoint(note, generate_signer("audit-ledger.test").vkey).ok
    assert not verify_checkpoint(note.replace("\n3\n", "\n4\n"), SIGNER.vkey).ok
    assert not verify_checkpoint("not a note", SIGNER.vkey).ok


def dossier(records: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """A dossier built by hand from an in-memory tree of ``records``."""
    hashes = [leaf_hash_of(r) for r in records]
    store = merkle.InMemoryNodeStore()
    store.put_nodes(merkle.append_leaves([], 0, hashes[:size])[0])
    note = sign(size, hashes)
    events = []
    for index, rec in enumerate(records[:size]):
        proof = merkle.inclusion_proof(store, index, size)
        events.append({"position": rec["position"], "leaf_index": index, "entity_id": rec["entity_id"],
                       "type": rec["type"], "record": rec, "leaf_hash": hashes[index].hex(),
                       "inclusion_proof": [h.hex() for h in proof],
                       "tlog_proof": format_tlog_proof(index, proof, note)})
    return {"format": "audit-ledger-dossier/v1", "org_id": "TC-001", "entity_id": "L-1", "origin": ORIGIN,
            "vkey": SIGNER.vkey, "checkpoint": note, "tree_size": size,
            "root_hash": merkle.root_from_leaf_hashes(hashes[:size]).hex(), "events": events}


def test_a_hand_built_dossier_verifies_and_names_a_changed_event() -> None:
    doc = dossier(RECORDS, 7)
    assert verify_dossier(doc, SIGNER.vkey).ok
    changed = copy.deepcopy(doc)
    changed["events"][3]["record"]["recorded_at"] = "2026-03-02T08:00:00+00:00"
    result = verify_dossier(changed, SIGNER.vkey)
    assert result.first_bad is not None and (result.first_bad.position, result.first_bad.leaf_index) == (19, 3)


@pytest.mark.parametrize("damage", ["proof-hash", "leaf-index", "tlog-index", "left-out", "malformed"])
def test_a_damaged_dossier_fails(damage: str) -> None:
    doc = dossier(RECORDS, 7)
    event = doc["events"][2]
    if damage == "proof-hash":
        event["inclusion_proof"][0] = "00" * 32
    elif damage == "leaf-index":
        event["leaf_index"] = 3
    elif damage == "tlog-index":
        event["tlog_proof"] = event["tlog_proof"].replace("index 2\n", "index 3\n")
    elif damage == "left-out":
        del doc["events"][2]
    else:
        del event["inclusion_proof"]
    assert verify_dossier(doc, SIGNER.vkey).exit_code == 1


def test_the_cli_exits_non_zero_and_names_the_position(tmp_path: Path) -> None:
    out = build(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["verify", "export", str(out), "--vkey", SIGNER.vkey]).exit_code == 0
    rewrite_line(out, 1, {**RECORDS[1], "effective_date": "2025-01-11"})
    failed = runner.invoke(cli, ["verify", "export", str(out), "--vkey", SIGNER.vkey])
    assert failed.exit_code == 1 and "first bad event: position 13 (leaf index 1)" in failed.output
    (tmp_path / "vkey.txt").write_text(SIGNER.vkey + "\n")
    (tmp_path / "d.json").write_text(json.dumps(dossier(RECORDS, 4), ensure_ascii=False))
    assert runner.invoke(cli, ["verify", "dossier", str(tmp_path / "d.json"),
                               "--vkey", str(tmp_path / "vkey.txt")]).exit_code == 0
    assert runner.invoke(cli, ["verify", "export", str(tmp_path / "nowhere")]).exit_code == 2


def test_a_dossier_must_be_of_its_co_and_hold_its_entity() -> None:
    other_co = dossier(RECORDS, 4)
    other_co["org_id"] = "TC-002"
    assert any("not of TC-002" in f.message for f in verify_dossier(other_co, SIGNER.vkey).failures)
    other_entity = dossier(RECORDS, 4)
    other_entity["entity_id"] = "L-2"
    assert [f.message for f in verify_dossier(other_entity, SIGNER.vkey).failures] == [
        "the dossier holds no event of its entity L-2"]
    not_a_list = dossier(RECORDS, 4)
    not_a_list["events"] = {"0": not_a_list["events"][0]}
    assert not verify_dossier(not_a_list, SIGNER.vkey).ok


def consistency(first: int, second: int) -> dict[str, Any]:
    hashes = [leaf_hash_of(r) for r in RECORDS]
    store = merkle.InMemoryNodeStore()
    store.put_nodes(merkle.append_leaves([], 0, hashes)[0])
    return {"org_id": "TC-001", "first": first, "second": second,
            "proof": [h.hex() for h in merkle.consistency_proof(store, first, second)],
            "first_checkpoint": sign(first, hashes), "second_checkpoint": sign(second, hashes)}


def test_verify_consistency_between_two_signed_checkpoints() -> None:
    assert verify_consistency(consistency(3, 7), SIGNER.vkey).ok
    forked = consistency(3, 7)
    forked["first_checkpoint"] = sign(3, [leaf_hash_of(record(99, 1, 1))] * 3)
    assert [f.message for f in verify_consistency(forked, SIGNER.vkey).failures] == [
        "the tree of size 3 is not a prefix of the tree of size 7"]
    unsigned = consistency(3, 7)
    unsigned["second_checkpoint"] = None
    assert not verify_consistency(unsigned, SIGNER.vkey).ok
    assert not verify_consistency(consistency(3, 7), generate_signer("audit-ledger.test").vkey).ok


def test_a_file_that_is_not_a_dossier_is_named_so(tmp_path: Path) -> None:
    doc = dossier(RECORDS, 4)
    checkpoint_answer = {"origin": ORIGIN, "tree_size": 4, "root_hash": doc["root_hash"], "checkpoint": doc["checkpoint"]}
    (tmp_path / "c.json").write_text(json.dumps(checkpoint_answer))
    said = CliRunner().invoke(cli, ["verify", "dossier", str(tmp_path / "c.json"), "--vkey", SIGNER.vkey])
    assert said.exit_code == 1 and "not a dossier" in said.output and "does not verify" not in said.output
