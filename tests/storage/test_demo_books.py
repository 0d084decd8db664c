"""The demo county in the 2023 profile (issue 12): its yearly views list the planted exceptions and no others."""
from __future__ import annotations

from ledger.bootstrap import Services
from ledger.domain.periods import Period
from ledger.seed import plan_county, write_county
from ledger.seed.books2023 import planted_exceptions
from ledger.seed.chronicle import YEARS
from projections.audit_views import AuditViews


def test_the_2023_demo_lists_its_planted_exceptions_and_no_others(services: Services) -> None:
    county = plan_county(scale=0.005, seed=42)
    views = AuditViews(services.reader)
    write_county(services.appender, county, profile="2023", books=views)
    planted = planted_exceptions(county)
    now = views.resolve_known_at(None)
    found: dict[tuple[str, int], list[str]] = {}
    for co in county.cos:
        for year in YEARS:
            view = views.view(co.org_id, Period(year, "year"), now).body
            assert view["balance_sheet"]["balanced_closing"] is True, (co.org_id, year)
            exceptions = view["reconciliations"]["exceptions"]
            if exceptions:
                found[(co.org_id, year)] = exceptions
    expected = {(org_id, year): [check] for org_id, (check, years) in planted.items() for year in years}
    assert found == expected
    assert {check for check, _ in planted.values()} == {"income-not-closed", "bank-negative", "fixed-assets-vs-151"}
    january = views.view(county.cos[0].org_id, Period(2025, "month", 1), now).body
    result_rows = [row for row in january["trial_balance"]["accounts"] if row["account"][0] == "5"]
    assert result_rows and all(row["opening_debit"] == row["opening_credit"] == "0.00" for row in result_rows)
    december = views.view(county.cos[0].org_id, Period(2025, "month", 12), now).body
    assert december["reconciliations"]["exceptions"] == [] and december["trial_balance"]["balanced"] is True
    assert {"JZ-2025", "ZJ-2025"} <= {v["voucher"] for v in december["vouchers"]}
