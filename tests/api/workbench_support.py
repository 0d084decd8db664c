"""A small CO for the workbench tests, written through the API: an asset, a lease with rent partly
unpaid, two vouchers, a finding about 2024-Q2 recorded in 2025; and a signed-in page client."""
from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from freezegun import freeze_time

from tests.api.conftest import Api

STREET = "城关街道"


def voucher(number: str, day: str, amount: str, memo: str = "门面房租金") -> dict[str, Any]:
    return {"type": "VoucherPosted", "entity_id": number, "effective_date": day,
            "data": {"description": f"收租金 {number}", "attachments": 2,
                     "lines": [{"account": "102", "side": "debit", "amount": amount, "memo": memo},
                               {"account": "501", "side": "credit", "amount": amount, "memo": memo}]}}


def seed_co(api: Api, first: str = "TC-001", second: str = "TC-002", street: str = STREET) -> dict[str, str]:
    """Two COs on one street; tokens for the first's bookkeeper, the second's and the street's auditor."""
    api.register_org(first, street=street)
    api.register_org(second, street=street)
    tokens = {"coop": api.token("cooperative", org_id=first), "coop2": api.token("cooperative", org_id=second),
              "auditor": api.token("auditor", street=street)}
    events = [
        {"type": "InventoryBatchOpened", "entity_id": "QC-2024", "effective_date": "2024-01-02",
         "data": {"title": "2024年度清产核资"}},
        {"type": "AssetRegistered", "entity_id": "ZC-001", "effective_date": "2024-01-03",
         "data": {"batch_id": "QC-2024", "name": "临街门面房3号", "category": "fixed_asset", "location": "人民路88号",
                  "book_value": "180000.00", "appraised_value": "260000.00", "appraised_annual_rent": "18000.00"}},
        {"type": "LeaseSigned", "entity_id": "HT-2024-001", "effective_date": "2024-03-25",
         "data": {"asset_id": "ZC-001", "lessee": "张三", "start": "2024-04-01", "end": "2024-09-30",
                  "rent": {"amount": "1500.00", "period": "monthly"}}},
        {"type": "RentInvoiced", "entity_id": "HT-2024-001", "effective_date": "2024-04-02",
         "data": {"amount": "1500.00", "period_start": "2024-04-01", "period_end": "2024-04-30", "due": "2024-04-10"}},
        {"type": "RentInvoiced", "entity_id": "HT-2024-001", "effective_date": "2024-05-02",
         "data": {"amount": "1500.00", "period_start": "2024-05-01", "period_end": "2024-05-31", "due": "2024-05-10"}},
        {"type": "RentReceived", "entity_id": "HT-2024-001", "effective_date": "2024-04-08",
         "data": {"amount": "1500.00"}},
        voucher("PZ-2024-001", "2024-04-08", "1500.00", "收张三门面房四月租金"),
        voucher("PZ-2024-002", "2024-05-20", "800.00", "收零星租金"),
    ]
    with freeze_time("2024-06-01T08:00:00Z"):
        response = api.append(first, tokens["coop"], events)
    assert response.status_code == 201, response.text
    with freeze_time("2025-03-10T08:00:00Z"):
        finding = api.request("POST", f"/v1/orgs/{first}/findings", token=tokens["auditor"], json={
            "finding_id": "SJ-2024Q2-01", "period": "2024-Q2", "title": "欠租未催收", "detail": "HT-2024-001 五月租金"})
    assert finding.status_code == 201, finding.text
    return tokens


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> TestClient:
    form = client.get("/ui/login")
    response = client.post("/ui/login", data={"csrf": csrf_of(form.text), "token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client
