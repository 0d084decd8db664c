"""Tampering with the database behind the ledger's back is caught, on SQLite and on PostgreSQL.

The database owner drops the immutability trigger, changes one stored event's amount and puts
the trigger back. The verifier, offline, names that exact position from a fresh export and from
a dossier; the API's proofs for that leaf no longer verify against the checkpoint signed before.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from ledger.adapters.sql import tokens as auth
from ledger.adapters.sql.event_store import events_table, install_append_only_triggers
from ledger.adapters.sql.proofs import LogProofs
from ledger.application.append import EventRequest
from ledger.application.dossier import build_dossier
from ledger.application.export import export
from ledger.bootstrap import Services
from ledger.entrypoints.cli.main import app as cli
from ledger.entrypoints.http.app import create_app
from ledger.log import merkle
from ledger.log.notes import (
    ProofError,
    Verifier,
    open_note,
    parse_checkpoint,
    verify_tlog_proof,
)
from ledger.verify.export import verify_export_dir as verify_export
from ledger.verify.proofs import verify_dossier
from tests.storage.conftest import register


def policy(threshold: str) -> EventRequest:
    return EventRequest("MajorMatterPolicySet", "TC-001", date(2025, 1, 2), {"policy": {"threshold": threshold}})


def cutoff() -> EventRequest:
    return EventRequest("QualificationCutoffSet", "TC-001", date(2025, 1, 3), {"qualification_cutoff": "2020-12-31"})


def change_stored_threshold(services: Services, position: int, threshold_fen: int) -> None:
    """As the database owner: drop the trigger, rewrite the event's state, restore the trigger."""
    rewrite_stored_event(services, position, lambda data: data["policy"].update(threshold=threshold_fen))


def rewrite_stored_event(services: Services, position: int, edit: Callable[[dict[str, Any]], Any]) -> None:
    """As the database owner: drop the trigger, ``edit`` the stored event's data in place, restore the trigger."""
    events, transcoder = events_table(services.store), services.store.mapper.transcoder
    postgres = services.engine.dialect.name == "postgresql"
    with services.engine.begin() as conn:
        state = conn.execute(select(events.c.state).where(events.c.id == position)).scalar_one()
        decoded: dict[str, Any] = transcoder.decode(bytes(state))
        edit(decoded["data"])
        conn.execute(text("DROP TRIGGER ledger_events_append_only ON ledger_events" if postgres
                          else "DROP TRIGGER ledger_events_no_update"))
        conn.execute(update(events).where(events.c.id == position).values(state=transcoder.encode(decoded)))
    with services.engine.begin() as conn:
        install_append_only_triggers(conn)


def test_a_changed_amount_is_named_by_the_verifier_and_breaks_the_servers_proofs(services: Services,
                                                                                  tmp_path: Path) -> None:
    register(services)
    receipt = services.appender.append("TC-001", "cooperative:test", [cutoff(), policy("50000.00")]).body
    services.appender.append("TC-001", "cooperative:test", [cutoff(), cutoff()])
    target = receipt["events"][1]
    position, leaf_index = target["position"], target["leaf_index"]
    vkey = services.signer.vkey
    export(services.proofs, "TC-001", tmp_path / "before", services.signer.vkey)
    assert verify_export(tmp_path / "before", vkey).ok

    change_stored_threshold(services, position, 5_000_001)
    with pytest.raises(Exception, match="append-only"), services.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_events"))  # the trigger is back
    assert services.reader.records(org_ids=["TC-001"], limit=10)[2].data["policy"]["threshold"] == 5_000_001

    export(services.proofs, "TC-001", tmp_path / "after", services.signer.vkey)
    from_export = verify_export(tmp_path / "after", vkey)
    assert not from_export.ok and {(f.position, f.leaf_index) for f in from_export.failures} == {(position, leaf_index)}

    dossier = build_dossier(LogProofs(services.reader), "TC-001", "TC-001", vkey)
    assert [m["position"] for m in dossier["integrity"]["mismatches"]] == [position]
    from_dossier = verify_dossier(json.loads(json.dumps(dossier)), vkey)
    assert not from_dossier.ok and from_dossier.first_bad is not None
    assert (from_dossier.first_bad.position, from_dossier.first_bad.leaf_index) == (position, leaf_index)
    assert len(from_dossier.failures) == 1

    dossier_file = tmp_path / "dossier.json"
    dossier_file.write_text(json.dumps(dossier, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    for args in (["verify", "export", str(tmp_path / "after"), "--vkey", vkey],
                 ["verify", "dossier", str(dossier_file), "--vkey", vkey]):
        outcome = runner.invoke(cli, args)
        assert outcome.exit_code == 1, outcome.output
        assert f"first bad event: position {position} (leaf index {leaf_index})" in outcome.output
    assert runner.invoke(cli, ["verify", "export", str(tmp_path / "before"), "--vkey", vkey]).exit_code == 0

    _api_proofs_no_longer_verify(services, receipt, leaf_index)


def _api_proofs_no_longer_verify(services: Services, receipt: dict[str, Any], leaf_index: int) -> None:
    """Against the checkpoint of the receipt kept from before the change."""
    verifier = Verifier.from_vkey(services.signer.vkey)
    signed = parse_checkpoint(open_note(receipt["log"]["checkpoint"], [verifier]))
    token = auth.issue_token(services.engine, "admin").token
    with TestClient(create_app(services.settings, services=services)) as client:
        base = f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={leaf_index}&tree_size={signed.size}"
        headers = {"Authorization": f"Bearer {token}"}
        body = client.get(base, headers=headers).json()
        proof_text = client.get(base + "&format=tlog-proof", headers=headers).text
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert body["stored_bytes_match_log"] is False
    assert body["record"]["data"]["policy"]["threshold"] == 5_000_001
    assert not merkle.verify_inclusion(bytes.fromhex(body["leaf_hash"]), leaf_index, signed.size, proof,
                                       signed.root_hash)
    assert merkle.verify_inclusion(bytes.fromhex(body["logged_leaf_hash"]), leaf_index, signed.size, proof,
                                   signed.root_hash), "the log itself is intact: only the event's bytes changed"
    with pytest.raises(ProofError):
        verify_tlog_proof(proof_text, bytes.fromhex(body["leaf_hash"]), [verifier])
