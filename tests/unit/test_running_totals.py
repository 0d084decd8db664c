"""BatchContext's running totals: counted once per entity, corrected when a counted entity changes or a
new one is cited in the batch (no database: the citations and entities are handed in as if prefetched)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ledger.adapters.sql.batch_context import BatchContext


def payment(entity_id: str, member_id: str, amount: int) -> Any:
    return SimpleNamespace(entity_id=entity_id, member_id=member_id, amount=amount, KIND="dividend")


def context_with(*stored: Any) -> BatchContext:
    context = BatchContext(None, None, "TC-001")  # type: ignore[arg-type]
    context._prefetched_targets.add("D")
    context._stored_citations[("D", "dividend")] = {p.entity_id for p in stored}
    context.loaded.update({p.entity_id: p for p in stored})
    return context


def test_totals_start_from_the_stored_citations() -> None:
    context = context_with(payment("P-1", "M-1", 100), payment("P-2", "M-2", 50), payment("P-3", "M-1", 7))
    total, per_member = context.citing_totals("D", "dividend", "amount", by="member_id")
    assert total == 157 and dict(per_member) == {"M-1": 107, "M-2": 50}


def test_a_payment_cited_in_the_batch_is_counted_once() -> None:
    context = context_with(payment("P-1", "M-1", 100))
    context.citing_totals("D", "dividend", "amount", by="member_id")
    context.keep(payment("P-2", "M-2", 30))
    context.cite([("D", "dividend", "P-2")])
    context.cite([("D", "dividend", "P-2")])  # a second event of the same entity citing again
    total, per_member = context.citing_totals("D", "dividend", "amount", by="member_id")
    assert total == 130 and dict(per_member) == {"M-1": 100, "M-2": 30}


def test_a_counted_entity_that_changes_is_counted_at_its_new_value_and_group() -> None:
    context = context_with(payment("P-1", "M-1", 100), payment("P-2", "M-2", 50))
    context.citing_totals("D", "dividend", "amount", by="member_id")
    context.keep(payment("P-1", "M-3", 40))
    total, per_member = context.citing_totals("D", "dividend", "amount", by="member_id")
    assert total == 90 and per_member.get("M-1", 0) == 0 and per_member["M-3"] == 40 and per_member["M-2"] == 50
