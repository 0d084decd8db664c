"""The dashboard's and worklist's stored per-CO rows (both databases): stored rows read back equal to
the computed ones, a first visit after ``warm`` computes nothing, and a row of an older prefix is
never served once the CO's log has moved."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledger.entrypoints.http.ui.workbench import Workbench, dumps, loads
from tests.api.conftest import Api
from tests.api.workbench_support import seed_co, voucher


def _no_computing(workbench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("computed on the request path")
    monkeypatch.setattr(workbench, "_dashboard_row", refuse)
    monkeypatch.setattr(workbench, "_work_rows", refuse)


def test_warmed_rows_are_read_back_equal_without_computing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_co(api)
    computing = Workbench(api.services)
    orgs = api.services.reader.organizations()
    expected = computing.dashboard(orgs, 2024), computing.worklist(orgs, 2024)
    assert expected[0] and expected[1]  # arrears and an open year at least
    assert loads(dumps(expected)) == [list(part) for part in expected]

    warmed = Workbench(api.services)
    assert warmed.warm(2024) == len(orgs)
    fresh = Workbench(api.services)  # as after a restart: nothing in memory
    _no_computing(fresh, monkeypatch)
    assert (fresh.dashboard(orgs, 2024), fresh.worklist(orgs, 2024)) == expected


def test_a_stored_row_of_an_older_prefix_is_not_served_after_the_log_moves(api: Api) -> None:
    tokens = seed_co(api)
    orgs = api.services.reader.organizations()
    Workbench(api.services).warm(2024)
    before = {r["org_id"]: r for r in Workbench(api.services).dashboard(orgs, 2024)}
    assert api.append("TC-001", tokens["coop"], [voucher("PZ-2024-003", "2024-06-20", "700.00")]).status_code == 201
    after = {r["org_id"]: r for r in Workbench(api.services).dashboard(orgs, 2024)}
    assert after["TC-001"]["income"] == before["TC-001"]["income"] + 700
    assert after["TC-002"] == before["TC-002"]


def test_the_year_page_charts_each_months_income_and_expense_from_the_month_views(api: Api) -> None:
    from ledger.domain.periods import Period
    from tests.api.workbench_support import sign_in
    from tests.api.test_workbench import fresh_client

    tokens = seed_co(api)
    workbench = Workbench(api.services)
    org = api.services.reader.organization("TC-001")
    months = workbench.months(org, 2024)
    position = api.services.views.resolve_known_at(None)
    assert [m["period"] for m in months] == [f"2024-{m:02d}" for m in range(1, 13)]
    for m, row in enumerate(months, start=1):
        totals = api.services.views.view("TC-001", Period(2024, "month", m), position).body["income_expense"]["totals"]
        assert (row["income"], row["expense"]) == (Decimal(totals["income"]), Decimal(totals["expense"]))
    assert (months[3]["income"], months[4]["income"], months[0]["income"]) == (1500, 800, 0)
    html = sign_in(fresh_client(api), tokens["auditor"]).get("/ui/orgs/TC-001/periods/2024").text
    chart = html[html.index('aria-label="各月收支"'):]
    chart = chart[:chart.index("</svg>")]
    assert "2024-04: 1,500.00" in chart and "2024-05: 800.00" in chart and chart.count("<rect") == 2 + 24
