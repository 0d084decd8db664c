"""The verifiable log over HTTP: the verifier key, checkpoints, proofs and dispute dossiers.

Every proof is about the event's bytes as stored now: the leaf hash is computed again on each
request, so a stored event changed behind the ledger's back shows as ``stored_bytes_match_log:
false`` and a proof that no longer verifies against the checkpoints issued before.
"""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from ledger.application.dossier import build_dossier
from ledger.domain.errors import NotFound
from ledger.entrypoints.http.deps import ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.params import EntityIdPath, FirstSize, LeafIndex, OrgIdPath, TreeSize
from ledger.entrypoints.http.models.problem import AUTHENTICATED, problem_responses
from ledger.entrypoints.http.models.log import (
    CheckpointOut,
    ConsistencyOut,
    DossierOut,
    InclusionOut,
    KeyOut,
)
from ledger.log import notes
from ledger.log.proofs import MissingCheckpoint

router = APIRouter(tags=["log"])

TEXT = {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}
READ = problem_responses(*AUTHENTICATED, 404, 422)
Format = Annotated[Literal["text", "json"] | None, Query(description="text (default) or json; or send "
                                                                     "Accept: application/json.")]


def _wants_json(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "json"
    return "application/json" in request.headers.get("accept", "")


@router.get("/v1/log/key", response_model=KeyOut, responses={**TEXT, **problem_responses(422)})
def log_key(request: Request, services: ServicesDep, format: Format = None) -> KeyOut | PlainTextResponse:
    """The ledger's checkpoint verifier key (C2SP vkey); public, no token needed."""
    signer = services.signer
    if not _wants_json(request, format):
        return PlainTextResponse(signer.vkey + "\n")
    return KeyOut(vkey=signer.vkey, name=signer.name, key_id=f"{signer.key_id:08x}",
                  origin_prefix=services.settings.log_origin + "/")


@router.get("/v1/orgs/{org_id}/log/checkpoint", response_model=CheckpointOut, responses={**TEXT, **READ})
def checkpoint(org_id: OrgIdPath, request: Request, org: ReadableOrg, services: ServicesDep,
               tree_size: TreeSize = None, format: Format = None) -> CheckpointOut | PlainTextResponse:
    """The CO log's latest signed checkpoint (or the one issued at tree_size), a C2SP signed note."""
    size, note = services.proofs.checkpoint(org_id, tree_size)
    if not _wants_json(request, format):
        return PlainTextResponse(note)
    parsed = notes.parse_checkpoint(notes.split_note(note)[0])
    return CheckpointOut(origin=parsed.origin, tree_size=size, root_hash=parsed.root_hash.hex(),
                         timestamp=parsed.timestamp, checkpoint=note)


@router.get("/v1/orgs/{org_id}/log/proofs/inclusion", response_model=InclusionOut, responses={**TEXT, **READ})
def inclusion(org_id: OrgIdPath, org: ReadableOrg, services: ServicesDep, leaf_index: LeafIndex,
              tree_size: TreeSize = None,
              format: Annotated[Literal["json", "tlog-proof"], Query()] = "json") -> InclusionOut | PlainTextResponse:
    """Inclusion proof of the leaf at leaf_index in the tree of tree_size (RFC 9162; or C2SP tlog-proof)."""
    proof = services.proofs.inclusion(org_id, leaf_index, tree_size)
    if format == "tlog-proof":
        try:
            return PlainTextResponse(proof.tlog_proof())
        except MissingCheckpoint as missing:
            raise NotFound("checkpoint-issued", f"no checkpoint was signed at tree size {missing.tree_size}; a "
                           "tlog-proof needs one (ask at the size of an append receipt or the latest)",
                           tree_size=missing.tree_size) from None
    leaf = proof.leaf
    return InclusionOut(org_id=org_id, leaf_index=leaf.leaf_index, position=leaf.position, tree_size=proof.tree_size,
                        leaf_hash=leaf.leaf_hash.hex(), logged_leaf_hash=leaf.logged_leaf_hash.hex(),
                        stored_bytes_match_log=leaf.intact, proof=[h.hex() for h in proof.proof],
                        root_hash=proof.root.hex(), checkpoint=proof.checkpoint, record=leaf.record.as_dict())


@router.get("/v1/orgs/{org_id}/log/proofs/consistency", response_model=ConsistencyOut, responses=READ)
def consistency(org_id: OrgIdPath, org: ReadableOrg, services: ServicesDep, first: FirstSize,
                second: TreeSize = None) -> ConsistencyOut:
    """Consistency proof: the tree of size first is a prefix of the tree of size second (RFC 9162)."""
    proof = services.proofs.consistency(org_id, first, second)
    return ConsistencyOut(org_id=org_id, first=proof.first, second=proof.second, proof=[h.hex() for h in proof.proof],
                          first_root=proof.first_root.hex(), second_root=proof.second_root.hex(),
                          first_checkpoint=proof.first_checkpoint, second_checkpoint=proof.second_checkpoint)


@router.get("/v1/orgs/{org_id}/entities/{entity_id}/dossier", response_model=DossierOut, tags=["log", "entities"],
            responses=READ)
def dossier(org_id: OrgIdPath, entity_id: EntityIdPath, org: ReadableOrg, services: ServicesDep) -> DossierOut:
    """The dispute dossier: the entity's events and what it cites, transitively, with proofs (verify offline)."""
    proofs = services.proofs
    return DossierOut.model_validate(build_dossier(proofs, org_id, entity_id, services.signer.vkey))
