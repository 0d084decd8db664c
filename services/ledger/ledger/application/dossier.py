"""The dispute dossier of one entity: its events and everything it cites, each with a proof.

One self-contained JSON document (``FORMAT``), verifiable offline with ``ledger verify dossier``:

- ``vkey``, ``origin``, ``checkpoint``: the verifier key, the CO log's origin line and ONE signed
  checkpoint (the latest) that every proof below leads to; ``tree_size`` and ``root_hash`` repeat
  what the checkpoint says, for reading.
- ``entities``: the entity asked for first, then every entity it cites, transitively (a lease's
  asset, resolution and filing; the resolution's meeting...), each with its kind, the citations
  of its events (``cites``) and the positions of its events.
- ``events``: every event of those entities in log order: ``record`` is the event as stored
  (``records.record_from_stored``: recorded time, actor, effective date, data in fen...),
  ``leaf_index``, ``leaf_hash`` (hashed again from the bytes stored now), ``inclusion_proof``
  (hex, RFC 9162) and the same proof as C2SP ``tlog_proof`` text.
- ``integrity``: whether every stored event still hashes to the leaf the log committed to at
  append time; a mismatch lists the position, so the dossier itself reports tampering.
"""
from __future__ import annotations

from typing import Any

from ledger.application.ports import LogReads
from ledger.domain.catalog import CATALOG
from ledger.domain.errors import NotFound
from ledger.log import notes
from ledger.log.export_format import DOSSIER_FORMAT
from ledger.log.proofs import Inclusion

FORMAT = DOSSIER_FORMAT


def build_dossier(proofs: LogReads, org_id: str, entity_id: str, vkey: str) -> dict[str, Any]:
    """The dossier of ``entity_id`` against the CO's latest signed checkpoint."""
    head = proofs.head(org_id)
    size, note = proofs.checkpoint(org_id, head.size)
    entity_ids, citations = cited_closure(proofs, org_id, entity_id, size)
    leaves = proofs.leaves(org_id, size, entity_ids=entity_ids)
    if not any(leaf.record.entity_id == entity_id for leaf in leaves):
        raise NotFound("entity-exists", f"{org_id} has no entity {entity_id!r}", org_id=org_id, entity_id=entity_id)
    included = proofs.inclusions(org_id, leaves, size, head)
    return {
        "format": FORMAT,
        "org_id": org_id,
        "entity_id": entity_id,
        "origin": notes.parse_checkpoint(notes.split_note(note)[0]).origin,
        "vkey": vkey,
        "checkpoint": note,
        "tree_size": size,
        "root_hash": head.root.hex(),
        "entities": _entities(entity_ids, citations, included),
        "events": [_event(item) for item in included],
        "integrity": _integrity(included),
    }


def cited_closure(proofs: LogReads, org_id: str, entity_id: str,
                  tree_size: int) -> tuple[list[str], list[dict[str, Any]]]:
    """The entity and every entity it cites transitively (breadth first), with the citations seen."""
    seen, frontier, citations = [entity_id], [entity_id], []
    while frontier:
        found = proofs.citations(org_id, frontier, tree_size)
        citations.extend(found)
        frontier = list(dict.fromkeys(c["target_id"] for c in found if c["target_id"] not in seen))
        seen.extend(frontier)
    return seen, citations


def _kind(event_type: str) -> str | None:
    known = CATALOG.get(event_type)
    return known.entity.KIND if known is not None else None


def _entities(entity_ids: list[str], citations: list[dict[str, Any]],
              included: list[Inclusion]) -> list[dict[str, Any]]:
    out = []
    for entity_id in entity_ids:
        own = [item.leaf.record for item in included if item.leaf.record.entity_id == entity_id]
        out.append({
            "entity_id": entity_id,
            "kind": _kind(own[0].type) if own else None,
            "cites": [{k: c[k] for k in ("position", "field", "target_id")}
                      for c in citations if c["entity_id"] == entity_id],
            "cited_by": sorted({c["entity_id"] for c in citations if c["target_id"] == entity_id}),
            "positions": [record.position for record in own],
        })
    return out


def _event(item: Inclusion) -> dict[str, Any]:
    leaf = item.leaf
    return {
        "position": leaf.position,
        "leaf_index": leaf.leaf_index,
        "entity_id": leaf.record.entity_id,
        "type": leaf.record.type,
        "record": leaf.record.as_dict(),
        "leaf_hash": leaf.leaf_hash.hex(),
        "inclusion_proof": [h.hex() for h in item.proof],
        "tlog_proof": item.tlog_proof(),
    }


def _integrity(included: list[Inclusion]) -> dict[str, Any]:
    mismatches = [
        {"position": item.leaf.position, "leaf_index": item.leaf.leaf_index, "leaf_hash": item.leaf.leaf_hash.hex(),
         "logged_leaf_hash": item.leaf.logged_leaf_hash.hex()}
        for item in included if not item.leaf.intact
    ]
    return {"stored_bytes_match_log": not mismatches, "mismatches": mismatches}
