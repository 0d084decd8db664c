"""The auditor's day in Chromium: sign in, dashboard, worklist and a finding, a CO and a quarter,
drill-down to a voucher and its dossier, replay, the workbook, print, closing, language, sign out."""
from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook

from tests.browser.conftest import SHOTS, Live, shot, sign_in

ORG = "TC-901"


def test_the_auditors_day(page: Any, live: Live) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    sign_in(page, live, live.tokens["auditor"])
    assert page.url.endswith("/ui/")
    assert page.locator("#dashboard tbody tr").count() >= 2
    assert page.locator("#dashboard").get_by_role("link", name=ORG, exact=True).count() == 1
    shot(page, "01-dashboard")

    page.click("text=审计工作清单")
    assert page.locator("#worklist tbody tr").count() > 0
    shot(page, "02-worklist")
    page.goto(f"{live.url}/ui/worklist?year=2024")
    row = page.locator("#worklist tbody tr", has_text=ORG).first
    row.locator("a.record-finding").click()
    page.fill("#detail", "五月租金逾期未收，请督促承租方缴纳")
    page.click("#submit-finding")
    assert page.locator("#findings").get_by_text("五月租金逾期未收").count() == 1

    page.goto(f"{live.url}/ui/orgs/{ORG}")
    shot(page, "03-co-calendar")
    page.click(f"a.period-link[href$='/periods/2024-Q2']")
    assert page.locator("#arrears").get_by_text("HT-2024-001").count() == 1
    assert page.locator("#findings").get_by_text("SJ-2024Q2-01").count() == 1  # recorded in 2025, shown in 2024
    shot(page, "04-quarter")

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024-04")
    shot(page, "05-month-statements")
    page.locator("#trial_balance a", has_text="102").click()
    assert "明细账" in page.locator("h1").inner_text()
    shot(page, "06-account-ledger")
    page.locator("#account-ledger a", has_text="PZ-2024-001").click()
    facts = page.locator("#voucher-facts").inner_text()
    assert "收租金 PZ-2024-001" in facts and "2" in facts and "cooperative:" in facts
    shot(page, "07-voucher")
    page.click("#to-dossier")
    assert "已验证" in page.locator("#dossier-result").inner_text()
    shot(page, "08-dossier")

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024-Q2")
    page.fill("#known_at", str(live.services.reader.organization(ORG)["position"]))  # before its first batch
    page.click("#replay-go")
    assert page.locator("#hash-then").inner_text() != page.locator("#hash-now").inner_text()
    assert page.locator("#changes").get_by_text(re.compile(r"^arrears\.totals\.arrears")).count() == 1
    assert page.locator("#late").get_by_text("RentInvoiced").count() == 2
    assert page.locator("#late").get_by_text("SJ-2024Q2-01").count() == 1
    shot(page, "09-replay")

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024")
    months_chart = page.locator("svg[aria-label='各月收支']")
    assert months_chart.count() == 1 and "2024-04: 1,500.00" in months_chart.inner_html()
    view_hash = page.locator("#view-hash").inner_text()
    with page.expect_download() as download:
        page.click("#download-workbook")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(min_row=2, values_only=True)}
    assert cover["视图 SHA-256"] == view_hash and "资产负债表" in book.sheetnames
    shot(page, "10-year-statements", full=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
    (SHOTS / "year-statements.pdf").write_bytes(pdf)

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024-Q3")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-period")
    assert "期间已结账" in page.locator("#closed-title").inner_text()
    assert page.locator("#closed-checkpoint").inner_text().startswith(f"audit-ledger.local/{ORG}")
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#closed-hash").inner_text())
    shot(page, "11-closed")

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024")
    page.click("#publish")
    assert page.url.endswith(f"/public/{ORG}/2024") and "已复现" in page.locator("#disclosure-facts").inner_text()
    assert "张三" not in page.content()
    shot(page, "13-disclosure-board")

    page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024-Q2")
    page.click("#lang-switch")
    assert "Quarterly special audit" in page.locator("h1").inner_text()
    shot(page, "12-quarter-english")
    page.click("#lang-switch")
    page.click("#sign-out")
    assert page.url.endswith("/ui/login")
    page.goto(f"{live.url}/ui/")
    assert page.url.endswith("/ui/login")
    assert fetched and [url for url in fetched if not url.startswith(live.url)] == []  # nothing from elsewhere


def test_swagger_ui_renders_from_local_files(page: Any, live: Live) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{live.url}/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 10
    assert [url for url in fetched if not url.startswith(live.url)] == []


def test_the_disclosure_board_opens_without_signing_in(page: Any, live: Live) -> None:
    response = page.goto(f"{live.url}/public/{ORG}/2024-05")
    assert response.status == 404 and '"disclosure-exists"' in page.content()


def test_a_cooperative_cannot_open_another_cos_pages(page: Any, live: Live) -> None:
    sign_in(page, live, live.tokens["coop2"])
    assert page.url.endswith("/ui/orgs/TC-902")
    response = page.goto(f"{live.url}/ui/orgs/{ORG}/periods/2024-Q2")
    assert response.status == 403 and '"org-scope"' in page.content()


def test_a_form_stripped_of_its_csrf_token_is_refused(page: Any, live: Live) -> None:
    sign_in(page, live, live.tokens["auditor"])
    page.goto(f"{live.url}/ui/orgs/{ORG}/findings/new?period=2024-Q2")
    page.fill("#title", "t")
    page.fill("#detail", "d")
    page.evaluate("document.querySelector('#finding-form input[name=csrf]').remove()")
    with page.expect_response(lambda r: r.url.endswith(f"/ui/orgs/{ORG}/findings")) as answer:
        page.click("#submit-finding")
    assert answer.value.status == 403 and answer.value.json()["rule"] == "csrf-token"
