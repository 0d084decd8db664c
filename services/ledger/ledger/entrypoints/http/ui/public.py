"""The disclosure board (公开栏): a period's statements as an auditor published them, for the members.

No token: the page shows only the statements (科目余额表, 收支明细表, 资产负债表, 收益及收益分配表) and, for a
quarter, rent and arrears totals: no member, lessee or voucher text, so no personal data. It shows
the hash and the signed checkpoint stored at publication, and whether the view recomputed at the
published position still has that hash, so anyone can check it later against the API or an export.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledger.domain.audit import disclosure_entity_id
from ledger.domain.errors import NotFound
from ledger.entrypoints.http.ui import labels
from ledger.entrypoints.http.ui.pages import TEMPLATES, language, workbench_of
from ledger.entrypoints.http.ui.tables import fill
from ledger.entrypoints.http.ui.workbook import rules_version
from projections.audit_views import parse_period

router = APIRouter(prefix="/public", include_in_schema=False)

PUBLIC_TOTALS = (("t_rent", ("rent", "totals")), ("t_arrears", ("arrears", "totals")))
"""A quarter's aggregate figures shown publicly (the per-lease rows name lessees)."""


@router.get("/{org_id}/{period}", response_class=HTMLResponse)
def published(request: Request, org_id: str, period: str) -> Response:
    bench, lang = workbench_of(request), language(request)
    asked = parse_period(period)
    org = bench.services.reader.organization(org_id)
    found = bench.services.reader.records(org_ids=[org_id], entity_id=disclosure_entity_id(str(asked)),
                                          type="StatementsPublished", limit=1)
    if not found:
        raise NotFound("disclosure-exists", f"{org_id} has not published {asked}", org_id=org_id, period=str(asked))
    record = found[0]
    answer = bench.view(org_id, asked, int(record.data["known_at_position"]), int(record.data["rules_version"]))
    body = answer.body
    totals: list[tuple[str, dict[str, Any]]] = []
    for title, (section, key) in PUBLIC_TOTALS:
        values = (body.get(section) or {}).get(key)
        if values:
            totals.append((title, values))
    return TEMPLATES.TemplateResponse(request, "public.html", {
        "t": lambda key: labels.label(lang, key), "lang": lang, "page": None, "caller": None, "csrf": "",
        "org": {"org_id": org["org_id"], "name": org["name"], "street": org["street"]}, "period": asked,
        "record": record, "body": body, "answer": answer, "reproduced": answer.sha256 == record.data["view_sha256"],
        "tables": [f for f in fill(body) if f.table.statement], "totals": totals, "rules": rules_version(body)})
