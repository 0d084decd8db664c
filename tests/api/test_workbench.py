"""The workbench over HTTP (both databases): sessions and CSRF, scope, local assets, the workbook
read back against the JSON view, findings under the period they concern."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ledger.bootstrap import build_projector
from ledger.entrypoints.http.app import create_app
from ledger.entrypoints.http.ui.money import field, to_yuan
from ledger.entrypoints.http.ui.tables import fill
from ledger.entrypoints.http.ui.workbook import HEADER_ROWS
from tests.api.conftest import Api
from tests.api.workbench_support import csrf_of, seed_co, sign_in

PAGES = ["/ui/", "/ui/worklist", "/ui/orgs/TC-001", "/ui/orgs/TC-001/periods/2024-Q2",
         "/ui/orgs/TC-001/periods/2024-04", "/ui/orgs/TC-001/periods/2024",
         "/ui/orgs/TC-001/periods/2024-Q2/replay?known_at=3", "/ui/orgs/TC-001/accounts/102?period=2024-04", "/ui/orgs/TC-001/accounts/501?period=2024",
         "/ui/orgs/TC-001/vouchers/PZ-2024-001", "/ui/orgs/TC-001/entities/HT-2024-001"]


@pytest.fixture
def ui(api: Api) -> tuple[Api, dict[str, str]]:
    return api, seed_co(api)


def fresh_client(api: Api, base_url: str = "http://testserver") -> TestClient:
    return TestClient(api.client.app, base_url=base_url)


def test_pages_need_a_session_and_sign_in_sets_a_strict_httponly_cookie(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = fresh_client(api)
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui/login"
    form = client.get("/ui/login")
    bad = client.post("/ui/login", data={"csrf": csrf_of(form.text), "token": "lgr_nope"}, follow_redirects=False)
    assert bad.status_code == 401
    good = client.post("/ui/login", data={"csrf": csrf_of(client.get("/ui/login").text), "token": tokens["auditor"]},
                       follow_redirects=False)
    cookie = good.headers["set-cookie"]
    assert good.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie and tokens["auditor"] not in cookie
    assert client.get("/ui/").status_code == 200
    secure = fresh_client(api, "https://testserver")
    form = secure.get("/ui/login")
    over_tls = secure.post("/ui/login", data={"csrf": csrf_of(form.text), "token": tokens["auditor"]},
                           follow_redirects=False)
    assert "Secure" in over_tls.headers["set-cookie"]


def test_a_form_without_its_csrf_token_is_refused(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    for data in ({}, {"csrf": "0" * 64}):
        refused = client.post("/ui/orgs/TC-001/findings", data={**data, "finding_id": "SJ-X", "period": "2024-Q2",
                                                                 "title": "t", "detail": "d"})
        assert refused.status_code == 403 and refused.json()["rule"] == "csrf-token"
        assert client.post("/ui/logout", data=data).json()["rule"] == "csrf-token"
    login = fresh_client(api).post("/ui/login", data={"token": tokens["auditor"]})
    assert login.status_code == 403 and login.json()["rule"] == "csrf-token"
    assert client.get("/ui/").status_code == 200  # still signed in
    page = client.get("/ui/orgs/TC-001/findings/new?period=2024-Q2")
    done = client.post("/ui/orgs/TC-001/findings", data={"csrf": csrf_of(page.text), "finding_id": "SJ-X",
                                                         "period": "2024-Q2", "title": "t", "detail": "d"},
                       follow_redirects=False)
    assert done.status_code == 303
    out = client.post("/ui/logout", data={"csrf": csrf_of(client.get("/ui/").text)}, follow_redirects=False)
    assert out.status_code == 303 and client.get("/ui/", follow_redirects=False).status_code == 303


def test_a_cooperative_sees_its_own_co_only(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["coop2"])
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui/orgs/TC-002"
    for path in ("/ui/orgs/TC-001", "/ui/orgs/TC-001/periods/2024-Q2", "/ui/orgs/TC-001/vouchers/PZ-2024-001",
                 "/ui/orgs/TC-001/periods/2024-Q2/workbook.xlsx"):
        refused = client.get(path)
        assert refused.status_code == 403 and refused.json()["rule"] == "org-scope", path
    assert client.get("/ui/orgs/TC-002").status_code == 200


def test_every_page_loads_only_local_assets(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    for path in [*PAGES, "/docs", "/ui/login"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', response.text)
        urls += re.findall(r'url\(\s*["\']?([^"\')]+)', response.text)
        assets = [u for u in urls if not u.startswith(("#", "?"))]
        assert assets, path
        for url in assets:
            assert url.startswith("/") and not url.startswith("//"), (path, url)
            if url.startswith(("/ui/static/", "/docs-static/")):
                assert client.get(url).status_code == 200, url


def test_the_workbook_reads_back_with_the_json_views_figures(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    for period in ("2024-04", "2024-Q2", "2024"):
        response = api.request("GET", f"/v1/orgs/TC-001/audit/{period}.xlsx?known_at=100", token=tokens["auditor"])
        assert response.status_code == 200
        view = api.request("GET", f"/v1/orgs/TC-001/audit/{period}?known_at=100", token=tokens["auditor"]).json()
        body, sha = view["as_known"]["view"], view["as_known"]["sha256"]
        book = load_workbook(io.BytesIO(response.content))
        cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=2, values_only=True)}
        assert cover["视图 SHA-256"] == sha and cover["期间"] == period
        assert cover["截至日志位置"] == str(body["known_at"]["position"])
        checked = 0
        for filled, sheet in zip(fill(body), book.worksheets[1:]):
            assert sha in sheet.cell(2, 1).value and "TC-001" in sheet.cell(1, 1).value
            rows = filled.rows + ([filled.total] if filled.total else [])
            for r, row in enumerate(rows, start=HEADER_ROWS + 2):
                for c, column in enumerate(filled.columns, start=1):
                    if column.money:
                        value = sheet.cell(r, c).value
                        expected = to_yuan(field(row, column.key))
                        got = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
                        assert got == expected, (period, sheet.title, r, column.key)
                        assert sheet.cell(r, c).number_format == "#,##0.00"
                        checked += 1
        assert checked > 0, period
    assert "租金收取" in load_workbook(io.BytesIO(api.request(
        "GET", "/v1/orgs/TC-001/audit/2024-Q2.xlsx", token=tokens["auditor"]).content)).sheetnames


def test_a_2024_q2_finding_recorded_in_2025_shows_under_2024(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    build_projector(api.services.store).run_once()
    for period, expected in (("2024", ["SJ-2024Q2-01"]), ("2025", [])):
        view = api.request("GET", f"/v1/orgs/TC-001/audit/{period}", token=tokens["auditor"]).json()["as_known"]
        assert view["source"] == "read-model"
        assert [f["finding_id"] for f in view["view"]["open_findings"]] == expected, period
    client = sign_in(fresh_client(api), tokens["auditor"])
    assert "SJ-2024Q2-01" in client.get("/ui/orgs/TC-001/periods/2024").text
    assert "SJ-2024Q2-01" in client.get("/ui/orgs/TC-001/periods/2024-Q2").text
    assert "SJ-2024Q2-01" not in client.get("/ui/orgs/TC-001/periods/2025-Q1").text


def test_switching_language_keeps_the_page(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    assert "季度专项审计" in client.get("/ui/orgs/TC-001/periods/2024-Q2").text
    switched = client.get("/ui/lang/en?next=/ui/orgs/TC-001/periods/2024-Q2", follow_redirects=False)
    assert switched.headers["location"] == "/ui/orgs/TC-001/periods/2024-Q2"
    assert "Quarterly special audit" in client.get("/ui/orgs/TC-001/periods/2024-Q2").text
    assert client.get("/ui/lang/en?next=https://evil.example/", follow_redirects=False).headers["location"] == "/ui/"


def test_the_disclosure_board_needs_no_token_and_holds_no_personal_data(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    assert fresh_client(api).get("/public/TC-001/2024-Q2").json()["rule"] == "disclosure-exists"
    for period in ("2024-Q2", "2024-04"):
        page = client.get(f"/ui/orgs/TC-001/periods/{period}")
        refused = client.post(f"/ui/orgs/TC-001/periods/{period}/publish", data={})
        assert refused.status_code == 403 and refused.json()["rule"] == "csrf-token"
        done = client.post(f"/ui/orgs/TC-001/periods/{period}/publish", data={"csrf": csrf_of(page.text)},
                           follow_redirects=False)
        assert done.headers["location"] == f"/public/TC-001/{period}"
        public = fresh_client(api).get(f"/public/TC-001/{period}")
        assert public.status_code == 200 and "已复现" in public.text
        stored = api.request("GET", "/v1/orgs/TC-001/entities/DISCLOSURE-" + period + "/history",
                             token=tokens["auditor"]).json()[0]["data"]
        assert stored["view_sha256"] in public.text and stored["checkpoint"].split("\n")[0] in public.text
        for personal in ("张三", "收张三", "PZ-2024-001", "HT-2024-001"):
            assert personal not in public.text, (period, personal)
    assert "1,500.00" in fresh_client(api).get("/public/TC-001/2024-04").text
    again = client.post("/ui/orgs/TC-001/periods/2024-04/publish",
                        data={"csrf": csrf_of(client.get("/ui/orgs/TC-001/periods/2024-04").text)})
    assert again.status_code == 409


def test_the_worklist_lists_arrears_and_downloads_as_csv_and_xlsx(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    page = client.get("/ui/worklist?year=2024").text
    assert "HT-2024-001" in page and "欠租" in page and "最早应收日 2024-05-10" in page
    csv_text = client.get("/ui/worklist.csv?year=2024").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("编号,集体经济组织,期间,类型")
    arrears = [line for line in lines if "HT-2024-001" in line and ",欠租," in line]
    assert arrears and all(",1500.00," in line for line in arrears)  # Q2 to Q4 of 2024, unpaid May rent
    book = load_workbook(io.BytesIO(client.get("/ui/worklist.xlsx?year=2024").content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(lines) - 1 and any(r[4] == "HT-2024-001" and r[5] == 1500 for r in rows)


def test_the_account_ledger_runs_its_balance_and_links_each_voucher(ui: tuple[Api, dict[str, str]]) -> None:
    api, tokens = ui
    client = sign_in(fresh_client(api), tokens["auditor"])
    page = client.get("/ui/orgs/TC-001/accounts/102?period=2024").text
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    balances = [re.findall(r'class="num">([^<]*)<', row)[-1] for row in rows if "/vouchers/" in row]
    assert balances == ["1,500.00", "2,300.00"]
    assert 'href="/ui/orgs/TC-001/vouchers/PZ-2024-001"' in page and "收张三门面房四月租金" in page
    assert client.get("/ui/orgs/TC-001/accounts/999?period=2024").json()["rule"] == "account-unknown"
