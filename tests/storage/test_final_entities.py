"""Entities that never change (a dividend paid, a voucher...) are read once and kept between batches; the
rules that read them give the same refusals."""
from __future__ import annotations

from datetime import date

import pytest

from ledger.adapters.sql.entity_cache import is_final
from ledger.application.append import BatchError, EventRequest
from ledger.bootstrap import Services
from ledger.domain.assets import Asset
from ledger.domain.distribution import Distribution, Dividend
from ledger.domain.governance import Resolution
from ledger.domain.leases import Lease
from ledger.seed import plan_county, write_county


def test_final_means_no_event_after_the_creating_one() -> None:
    assert is_final(Dividend) and is_final(Distribution)
    assert not is_final(Lease) and not is_final(Asset)
    assert not is_final(Resolution)  # the ledger derives ResolutionAdopted/Rejected on it


def test_a_dividend_rule_reads_earlier_batches_payments_through_the_kept_entities(services: Services) -> None:
    county = plan_county(scale=0.005, seed=42)
    co = next(co for co in county.cos if co.mode == "reject")
    write_county(services.appender, county)
    paid = [r for r in services.reader.iter_records(co.org_id) if r.type == "DividendPaid"]
    assert paid
    again = paid[-1].data

    def pay_again() -> None:
        services.appender.append(co.org_id, "cooperative:test", [EventRequest(
            "DividendPaid", "DIV-AGAIN", date.fromisoformat(paid[-1].effective_date),
            {"distribution_id": again["distribution_id"], "member_id": again["member_id"],
             "amount": f"{int(again['amount']) // 100}.{int(again['amount']) % 100:02d}"})])

    with pytest.raises(BatchError) as refused:
        pay_again()
    assert refused.value.rule in ("dividend-exceeds-entitlement", "dividends-exceed-declared")
    kept = services.appender.store.finals.entities  # the earlier payments were read from the store, and kept
    assert (co.org_id, paid[-1].entity_id) in kept
    with pytest.raises(BatchError) as again_refused:  # from the kept entities this time: the same refusal
        pay_again()
    assert again_refused.value.rule == refused.value.rule and again_refused.value.values == refused.value.values
