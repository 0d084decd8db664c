"""The verifiable log over HTTP: the key, checkpoints, inclusion and consistency proofs, dossiers."""
from __future__ import annotations

from typing import Any

import pytest

from ledger.domain.catalog import CATALOG
from ledger.log import merkle
from ledger.log.notes import (
    ProofError,
    Verifier,
    open_note,
    parse_checkpoint,
    verify_tlog_proof,
)
from ledger.log.record import leaf_hash_of
from ledger.verify.proofs import verify_dossier
from tests.api.conftest import Api

CUTOFF = {"type": "QualificationCutoffSet", "entity_id": "TC-001", "effective_date": "2025-01-03",
          "data": {"qualification_cutoff": "2020-12-31"}}
POLICY = {"type": "MajorMatterPolicySet", "entity_id": "TC-001", "effective_date": "2025-01-02",
          "data": {"policy": {"threshold": "50000.00", "mode": "flag"}}}


def served_verifier(api: Api) -> Verifier:
    response = api.request("GET", "/v1/log/key", token=None)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return Verifier.from_vkey(response.text.strip())


def signed_root(note: str, verifier: Verifier) -> tuple[int, bytes]:
    checkpoint = parse_checkpoint(open_note(note, [verifier]))
    return checkpoint.size, checkpoint.root_hash


def setup_co(api: Api) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """TC-001 with receipts of sizes 3 (two events in one batch) and 4."""
    api.register_org("TC-001")
    coop = api.token("cooperative", org_id="TC-001")
    first = api.append("TC-001", coop, [POLICY, CUTOFF]).json()
    second = api.append("TC-001", coop, [CUTOFF]).json()
    return coop, first, second


def test_the_checkpoint_is_signed_by_the_served_key_and_names_the_co(api: Api) -> None:
    coop, _, second = setup_co(api)
    verifier = served_verifier(api)
    note = api.request("GET", "/v1/orgs/TC-001/log/checkpoint", token=coop).text
    checkpoint = parse_checkpoint(open_note(note, [verifier]))
    assert checkpoint.origin == "audit-ledger.local/TC-001" and checkpoint.size == 4
    assert checkpoint.root_hash.hex() == second["log"]["root_hash"] and note == second["log"]["checkpoint"]
    as_json = api.request("GET", "/v1/orgs/TC-001/log/checkpoint?format=json", token=coop).json()
    assert as_json["tree_size"] == 4 and as_json["checkpoint"] == note
    key = api.request("GET", "/v1/log/key", token=None, headers={"Accept": "application/json"}).json()
    assert key["vkey"] == verifier.vkey and key["origin_prefix"] == "audit-ledger.local/"


def test_inclusion_proofs_verify_against_every_receipt_and_fail_for_a_changed_leaf(api: Api) -> None:
    coop, first, second = setup_co(api)
    verifier = served_verifier(api)
    for receipt in (first, second):
        size, root = signed_root(receipt["log"]["checkpoint"], verifier)
        for leaf_index in range(size):
            body = api.request("GET", f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={leaf_index}&tree_size={size}",
                               token=coop).json()
            leaf = bytes.fromhex(body["leaf_hash"])
            proof = [bytes.fromhex(h) for h in body["proof"]]
            assert leaf == leaf_hash_of(body["record"]) and body["stored_bytes_match_log"] is True
            assert body["checkpoint"] == receipt["log"]["checkpoint"]
            assert merkle.verify_inclusion(leaf, leaf_index, size, proof, root)
            changed = bytes([leaf[0] ^ 1]) + leaf[1:]
            assert not merkle.verify_inclusion(changed, leaf_index, size, proof, root)
    appended = first["events"][1]
    body = api.request("GET", f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={appended['leaf_index']}",
                       token=coop).json()
    assert body["leaf_hash"] == appended["leaf_hash"] and body["position"] == appended["position"]


def test_the_tlog_proof_text_verifies_with_c2sp_tooling(api: Api) -> None:
    coop, first, _ = setup_co(api)
    verifier = served_verifier(api)
    event = first["events"][0]
    text = api.request("GET", f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={event['leaf_index']}"
                              "&tree_size=3&format=tlog-proof", token=coop).text
    checkpoint = verify_tlog_proof(text, bytes.fromhex(event["leaf_hash"]), [verifier], "audit-ledger.local/TC-001")
    assert checkpoint.size == 3
    with pytest.raises(ProofError):
        verify_tlog_proof(text, bytes.fromhex(first["events"][1]["leaf_hash"]), [verifier])


def test_consistency_between_two_append_receipts(api: Api) -> None:
    coop, first, second = setup_co(api)
    verifier = served_verifier(api)
    (size1, root1), (size2, root2) = (signed_root(r["log"]["checkpoint"], verifier) for r in (first, second))
    body = api.request("GET", f"/v1/orgs/TC-001/log/proofs/consistency?first={size1}&second={size2}",
                       token=coop).json()
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert merkle.verify_consistency(size1, size2, root1, root2, proof)
    assert body["first_checkpoint"] == first["log"]["checkpoint"]
    assert not merkle.verify_consistency(size1, size2, root2, root2, proof)
    from_one = api.request("GET", "/v1/orgs/TC-001/log/proofs/consistency?first=1", token=coop).json()
    assert from_one["second"] == 4 and from_one["second_root"] == root2.hex()


def test_a_size_without_a_signed_checkpoint_has_a_root_but_no_tlog_proof(api: Api) -> None:
    coop, first, _ = setup_co(api)  # one batch of two events: sizes 1 and 3 were signed, 2 was not
    body = api.request("GET", "/v1/orgs/TC-001/log/proofs/inclusion?leaf_index=0&tree_size=2", token=coop).json()
    leaves = [bytes.fromhex(body["leaf_hash"]), bytes.fromhex(first["events"][0]["leaf_hash"])]
    assert body["checkpoint"] is None and body["root_hash"] == merkle.root_from_leaf_hashes(leaves).hex()
    text = api.request("GET", "/v1/orgs/TC-001/log/proofs/inclusion?leaf_index=0&tree_size=2&format=tlog-proof",
                       token=coop)
    assert text.status_code == 404 and text.json()["rule"] == "checkpoint-issued"
    missing = api.request("GET", "/v1/orgs/TC-001/log/checkpoint?tree_size=2", token=coop)
    assert missing.status_code == 404 and missing.json()["values"] == {"org_id": "TC-001", "tree_size": 2}


@pytest.mark.parametrize(("query", "rule", "values"), [
    ("inclusion?leaf_index=0&tree_size=9", "tree-size-within-log", {"tree_size": 9, "log_size": 4}),
    ("inclusion?leaf_index=3&tree_size=3", "leaf-index-within-tree", {"leaf_index": 3, "tree_size": 3}),
    ("consistency?first=4&second=3", "consistency-sizes-ordered", {"first": 4, "second": 3}),
    ("consistency?first=2&second=5", "tree-size-within-log", {"tree_size": 5, "log_size": 4}),
])
def test_proofs_outside_the_log_are_problems_naming_rule_and_values(api: Api, query: str, rule: str,
                                                                     values: dict[str, int]) -> None:
    coop, _, _ = setup_co(api)
    response = api.request("GET", f"/v1/orgs/TC-001/log/proofs/{query}", token=coop)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["rule"] == rule and response.json()["values"] == values


def test_log_endpoints_need_the_same_read_scope_as_events(api: Api) -> None:
    setup_co(api)
    api.register_org("TC-002", street="南关街道")
    other_coop = api.token("cooperative", org_id="TC-002")
    far_auditor = api.token("auditor", street="南关街道")
    near_auditor = api.token("auditor", street="城关街道")
    paths = ["/v1/orgs/TC-001/log/checkpoint", "/v1/orgs/TC-001/log/proofs/inclusion?leaf_index=0",
             "/v1/orgs/TC-001/log/proofs/consistency?first=1", "/v1/orgs/TC-001/entities/TC-001/dossier"]
    for path in paths:
        assert api.request("GET", path, token=None).status_code == 401
        for token in (other_coop, far_auditor):
            refused = api.request("GET", path, token=token)
            assert refused.status_code == 403 and refused.json()["rule"] == "org-scope"
        assert api.request("GET", path, token=near_auditor).status_code == 200
    assert api.request("GET", "/v1/orgs/TC-404/log/checkpoint").status_code == 404


def test_the_dossier_of_the_co_verifies_offline_with_the_served_key(api: Api) -> None:
    coop, _, _ = setup_co(api)
    dossier = api.request("GET", "/v1/orgs/TC-001/entities/TC-001/dossier", token=coop).json()
    assert [e["entity_version"] for e in (ev["record"] for ev in dossier["events"])] == [1, 2, 3, 4]
    assert dossier["integrity"] == {"stored_bytes_match_log": True, "mismatches": []}
    result = verify_dossier(dossier, served_verifier(api).vkey)
    assert result.ok and not result.warnings, result
    dossier["events"][1]["record"]["data"]["policy"]["threshold"] += 1
    broken = verify_dossier(dossier, served_verifier(api).vkey)
    assert broken.first_bad is not None and broken.first_bad.position == dossier["events"][1]["position"]
    missing = api.request("GET", "/v1/orgs/TC-001/entities/NOPE/dossier", token=coop)
    assert missing.status_code == 404 and missing.json()["rule"] == "entity-exists"


LEASE_TYPES = {"InventoryBatchOpened", "AssetRegistered", "LeaseSigned", "RentInvoiced", "RentReceived"}


@pytest.mark.skipif(not LEASE_TYPES <= set(CATALOG), reason="lease and rent types are not in the catalogue")
def test_a_lease_dossier_holds_its_rent_and_what_it_cites_transitively(api: Api) -> None:
    coop, _, _ = setup_co(api)
    lease_events = [
        {"type": "InventoryBatchOpened", "entity_id": "B-2024", "effective_date": "2024-03-01",
         "data": {"title": "2024年度清产核资"}},
        {"type": "AssetRegistered", "entity_id": "A-SHOP-3", "effective_date": "2024-03-02",
         "data": {"batch_id": "B-2024", "name": "临街门面房3号", "category": "fixed_asset", "location": "人民路88号",
                  "book_value": "120000.00", "appraised_value": "150000.00"}},
        {"type": "LeaseSigned", "entity_id": "L-2025-007", "effective_date": "2025-01-01",
         "data": {"asset_id": "A-SHOP-3", "lessee": "王五", "start": "2025-01-01", "end": "2025-12-31",
                  "rent": {"amount": "2000.00", "period": "quarterly"}}},
        {"type": "RentInvoiced", "entity_id": "L-2025-007", "effective_date": "2025-01-01",
         "data": {"amount": "2000.00", "period_start": "2025-01-01", "period_end": "2025-03-31"}},
        {"type": "RentReceived", "entity_id": "L-2025-007", "effective_date": "2025-01-10",
         "data": {"amount": "2000.00", "receipt_no": "R-0001"}},
    ]
    appended = api.append("TC-001", coop, lease_events)
    assert appended.status_code == 201, appended.text
    dossier = api.request("GET", "/v1/orgs/TC-001/entities/L-2025-007/dossier", token=coop).json()
    assert [(e["entity_id"], e["kind"]) for e in dossier["entities"]] == [
        ("L-2025-007", "lease"), ("A-SHOP-3", "asset"), ("B-2024", "inventory_batch")]
    assert [e["type"] for e in dossier["events"]] == [e["type"] for e in lease_events]
    rent = dossier["events"][-1]["record"]
    assert rent["data"]["amount"] == 200000 and rent["data"]["receipt_no"] == "R-0001"
    assert rent["effective_date"] == "2025-01-10" and rent["actor"].startswith("cooperative:TC-001")
    assert verify_dossier(dossier, served_verifier(api).vkey).ok
