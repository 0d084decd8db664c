"""The dividend rules read running totals (per distribution, per member) that a batch keeps up to date as
it cites: the same refusals whether the earlier payments are stored or earlier in the same batch."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application.append import BatchError, EventRequest
from ledger.bootstrap import Services
from ledger.domain.errors import RuleViolation
from tests.support.fakes import ORG
from tests.unit.test_domain_distribution import declared


def declared_in_store(services: Services, **changes: Any) -> None:
    """The unit tests' CO with its distribution declared, appended through the real appender."""
    first, *rest = [EventRequest(t, entity_id, date.fromisoformat(on), data)
                    for t, entity_id, data, on in declared(**changes).requests]
    services.appender.append(ORG, "admin:test", [first], author="admin")
    services.appender.append(ORG, "cooperative:test", rest)


def pay(dividend_id: str, member_id: str, amount: str) -> EventRequest:
    return EventRequest("DividendPaid", dividend_id, date(2025, 2, 1),
                        {"distribution_id": "D-2024", "member_id": member_id, "amount": amount})


@pytest.mark.parametrize("stored_first", [0, 1, 2], ids=["one-batch", "first-stored", "two-stored"])
def test_entitlement_counts_stored_and_same_batch_payments(services: Services, stored_first: int) -> None:
    declared_in_store(services)
    payments = [pay("P-1", "M-1", "2000.00"), pay("P-2", "M-1", "1500.00"), pay("P-3", "M-1", "0.01")]
    for payment in payments[:stored_first]:
        services.appender.append(ORG, "cooperative:test", [payment])
    with pytest.raises(BatchError) as refused:
        services.appender.append(ORG, "cooperative:test", [pay("P-0", "M-2", "700.00"), *payments[stored_first:]])
    assert refused.value.rule == "dividend-exceeds-entitlement"
    assert refused.value.index == 1 + 2 - stored_first
    assert refused.value.values["paid"] == "3500.00" and refused.value.values["entitled"] == "3500.00"


@pytest.mark.parametrize("stored_first", [0, 1, 2], ids=["one-batch", "first-stored", "two-stored"])
def test_declared_total_counts_stored_and_same_batch_payments(services: Services, stored_first: int) -> None:
    declared_in_store(services, member_distribution="3600.00", other="0.00")
    payments = [pay("P-1", "M-1", "3500.00"), pay("P-2", "M-2", "100.00"), pay("P-3", "M-2", "0.01")]
    for payment in payments[:stored_first]:
        services.appender.append(ORG, "cooperative:test", [payment])
    with pytest.raises(BatchError) as refused:
        services.appender.append(ORG, "cooperative:test", payments[stored_first:])
    assert refused.value.rule == "dividends-exceed-declared"
    assert refused.value.index == 2 - stored_first
    assert refused.value.values["paid"] == "3600.00"
    if stored_first < 2:  # the refused batch stored nothing: its accepted part goes in alone
        accepted = services.appender.append(ORG, "cooperative:test", payments[stored_first:2])
        assert len(accepted.positions) == 2 - stored_first


def test_an_empty_batch_is_refused_by_name(services: Services) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.appender.append(ORG, "cooperative:test", [])
    assert refused.value.rule == "batch-not-empty" and refused.value.values == {"org_id": ORG}
