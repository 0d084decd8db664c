"""The books over HTTP (issue 12): closing months and years, the per-account ledger, rules versions."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from freezegun import freeze_time

from tests.api.conftest import Api


def voucher(number: str, day: str, *lines: tuple[str, str, str], **extra: Any) -> dict[str, Any]:
    return {"type": "VoucherPosted", "entity_id": number, "effective_date": day,
            "data": {"description": f"凭证 {number}", **extra,
                     "lines": [{"account": a, "side": s, "amount": m} for a, s, m in lines]}}


def books_co(api: Api) -> tuple[str, str]:
    api.register_org("TC-001", street="城关街道")
    coop, auditor = api.token("cooperative", org_id="TC-001"), api.token("auditor", street="城关街道")
    events = [voucher("V-1", "2024-01-05", ("102", "debit", "10000.00"), ("301", "credit", "10000.00")),
              voucher("V-2", "2024-03-03", ("102", "debit", "1500.00"), ("501", "credit", "1500.00")),
              voucher("V-3", "2024-03-10", ("513", "debit", "200.00"), ("102", "credit", "200.00")),
              voucher("V-4", "2024-08-03", ("102", "debit", "900.00"), ("501", "credit", "900.00")),
              voucher("V-5", "2024-09-10", ("511", "debit", "100.00"), ("102", "credit", "100.00"))]
    assert api.append("TC-001", coop, events).status_code == 201
    return coop, auditor


def row(table: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(r for r in table if r[key] == value)


def test_closing_a_month_then_the_year_carries_5xx_to_321_then_322(api: Api) -> None:
    coop, auditor = books_co(api)
    with freeze_time("2024-04-02T08:00:00Z"):
        month = api.request("POST", "/v1/orgs/TC-001/books/2024-03/closing", token=coop)
    assert month.status_code == 201, month.text
    assert month.json()["voucher_id"] == "JZ-2024-03"
    assert month.json()["lines"] == [{"account": "501", "side": "debit", "amount": "1500.00"},
                                     {"account": "513", "side": "credit", "amount": "200.00"},
                                     {"account": "321", "side": "credit", "amount": "1300.00"}]
    again = api.request("POST", "/v1/orgs/TC-001/books/2024-03/closing", token=coop)
    assert again.status_code == 409 and again.json()["rule"] == "period-closing-exists"
    quarter = api.request("POST", "/v1/orgs/TC-001/books/2024-Q3/closing", token=coop)
    assert quarter.status_code == 422 and quarter.json()["rule"] == "closing-period"
    with freeze_time("2024-12-31T08:00:00Z"):
        early = api.request("POST", "/v1/orgs/TC-001/books/2024/closing", token=coop)
    assert early.status_code == 422 and early.json()["rule"] == "period-not-ended"
    direct = api.append("TC-001", coop, [{"type": "ClosingPosted", "entity_id": "JZ-2024", "effective_date":
                                          "2024-12-31", "data": {"period": "2024", "description": "手工",
                                                                 "lines": [], "rules_version": 2}}])
    assert direct.status_code == 422 and direct.json()["rule"] == "event-author"
    with freeze_time("2025-01-03T08:00:00Z"):
        year = api.request("POST", "/v1/orgs/TC-001/books/2024/closing", token=coop)
    assert year.status_code == 201, year.text
    assert year.json()["lines"] == [{"account": "501", "side": "debit", "amount": "900.00"},
                                    {"account": "511", "side": "credit", "amount": "100.00"},
                                    {"account": "321", "side": "credit", "amount": "800.00"},
                                    {"account": "321", "side": "debit", "amount": "2100.00"},
                                    {"account": "322", "side": "credit", "amount": "2100.00"}]

    january = api.request("GET", "/v1/orgs/TC-001/audit/2025-01", token=auditor).json()["as_known"]["view"]
    opening = {r["account"]: r for r in january["trial_balance"]["accounts"]}
    assert not any(code.startswith("5") for code in opening) and "321" not in opening
    assert opening["322"]["opening_credit"] == "2100.00"
    statement = api.request("GET", "/v1/orgs/TC-001/audit/2024", token=auditor).json()["as_known"]["view"]
    income = {r["item"]: r for r in statement["income_statement"]["lines"]}
    assert (income["operating_income"]["current"], income["current_year_result"]["current"]) == ("2400.00", "2100.00")
    assert statement["income_statement"]["closing_vouchers"] == ["JZ-2024", "JZ-2024-03"]
    sheet = {r["item"]: r for r in statement["balance_sheet"]["lines"]}
    assert sheet["undistributed_result"]["closing"] == "2100.00"
    assert sheet["cash_and_bank"]["closing"] == "12100.00"


def test_the_per_account_ledger_lists_every_line_with_its_running_balance(api: Api) -> None:
    coop, auditor = books_co(api)
    answer = api.request("GET", "/v1/orgs/TC-001/books/accounts/102?from=2024-03-01&to=2024-12-31", token=auditor)
    assert answer.status_code == 200, answer.text
    book = answer.json()
    view = book["view"]
    assert (view["title"], view["opening"], view["closing"]) == ("明细账", "10000.00", "12100.00")
    assert [(e["date"], e["voucher"], e["debit"], e["credit"], e["balance"]) for e in view["entries"]] == [
        ("2024-03-03", "V-2", "1500.00", "0.00", "11500.00"), ("2024-03-10", "V-3", "0.00", "200.00", "11300.00"),
        ("2024-08-03", "V-4", "900.00", "0.00", "12200.00"), ("2024-09-10", "V-5", "0.00", "100.00", "12100.00")]
    assert view["entries"][0]["memo"] == "凭证 V-2" and book["rules_version"] == 2
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert hashlib.sha256(canonical).hexdigest() == book["sha256"]
    position = view["known_at"]["position"]
    assert api.append("TC-001", coop, [voucher("V-6", "2024-10-01", ("102", "debit", "1.00"),
                                               ("504", "credit", "1.00"))]).status_code == 201
    then = api.request("GET", f"/v1/orgs/TC-001/books/accounts/102?from=2024-03-01&to=2024-12-31&known_at={position}",
                       token=auditor).json()
    assert then["sha256"] == book["sha256"]
    missing = api.request("GET", "/v1/orgs/TC-001/books/accounts/999", token=auditor)
    assert missing.status_code == 404 and missing.json()["rule"] == "account-unknown"
    for bad in ("２０２４-03-01", "2024-03-01%0A", "2024-3-1"):
        refused = api.request("GET", f"/v1/orgs/TC-001/books/accounts/102?from={bad}", token=auditor)
        assert refused.status_code == 422 and refused.json()["rule"] == "date-format", bad


def test_a_period_closed_under_old_rules_is_reproduced_and_the_view_now_says_the_rules_changed(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    import projections.views.rules as rules

    coop, auditor = books_co(api)
    monkeypatch.setattr(rules, "CURRENT", 1)
    with freeze_time("2024-04-02T08:00:00Z"):
        closed = api.request("POST", "/v1/orgs/TC-001/audit/2024-03/close", token=auditor, json={})
    assert closed.status_code == 201 and closed.json()["rules_version"] == 1
    as_v1 = api.request("GET", "/v1/orgs/TC-001/audit/2024-03", token=auditor).json()
    assert as_v1["closed"]["differs_because"] == [] and "debit_fen" in json.dumps(as_v1["as_known"]["view"])
    monkeypatch.setattr(rules, "CURRENT", 2)
    now = api.request("GET", "/v1/orgs/TC-001/audit/2024-03", token=auditor).json()
    closed_view = now["closed"]["as_closed"]
    assert closed_view["sha256"] == closed.json()["view_sha256"] == as_v1["closed"]["as_closed"]["sha256"]
    assert closed_view["view"] == as_v1["closed"]["as_closed"]["view"] and closed_view["rules_version"] == 1
    assert now["closed"]["reproduced"] is True and now["closed"]["rules_version"] == 1
    assert now["as_known"]["rules_version"] == 2 and now["as_known"]["sha256"] != closed_view["sha256"]
    assert now["closed"]["differs_because"] == ["rules"]
    assert api.append("TC-001", coop, [voucher("V-9", "2024-04-10", ("102", "debit", "5.00"), ("504", "credit", "5.00"),
                                               adjusts={"period": "2024-03", "reason": "漏记"})]).status_code == 201
    asked_old = api.request("GET", "/v1/orgs/TC-001/audit/2024-03?rules=1", token=auditor).json()
    assert asked_old["as_known"]["rules_version"] == 1 and asked_old["closed"]["differs_because"] == []
    bad = api.request("GET", "/v1/orgs/TC-001/audit/2024-03?rules=٢", token=auditor)
    assert bad.status_code == 422 and bad.json()["rule"] == "rules-version"


def test_ledger_books_close_posts_the_year_from_the_command_line(api: Api, database_url: str, tmp_path: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from ledger.entrypoints.cli.main import app

    coop, auditor = books_co(api)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_KEY_FILE", str(api.services.settings.key_file))
    runner = CliRunner()
    done = runner.invoke(app, ["books", "close", "--org", "TC-001", "--period", "2024", "--today", "2025-01-02"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["voucher_id"] == "JZ-2024"
    again = runner.invoke(app, ["books", "close", "--org", "TC-001", "--period", "2024", "--today", "2025-01-02"])
    assert again.exit_code == 1 and "period-closing-exists" in again.output
    ledger = api.request("GET", "/v1/orgs/TC-001/books/accounts/322?from=2024-01-01&to=2024-12-31", token=auditor)
    assert ledger.json()["view"]["closing"] == "2100.00"


@pytest.mark.parametrize("bad", ["١٢", "12%0A", "１２", "+12"])
def test_positions_and_counts_in_queries_are_ascii_digits_only(api: Api, bad: str) -> None:
    coop, auditor = books_co(api)
    for path in (f"/v1/orgs/TC-001/events?after={bad}", f"/v1/orgs/TC-001/events?limit={bad}",
                 f"/v1/orgs/TC-001/log/proofs/inclusion?leaf_index={bad}"):
        refused = api.request("GET", path, token=auditor)
        assert refused.status_code == 422 and "number-format" in refused.json()["detail"], (path, refused.text)
    known = api.request("GET", f"/v1/orgs/TC-001/audit/2024?known_at={bad}", token=auditor)
    assert known.status_code == 422 and known.json()["rule"] == "known-at-format"
    assert api.request("GET", "/v1/orgs/TC-001/events?after=0&limit=12", token=auditor).status_code == 200
