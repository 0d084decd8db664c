"""A period's audit view as an Excel workbook (same auth and ``known_at`` as the JSON view)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from ledger.entrypoints.http.deps import ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.params import KnownAt, OrgIdPath, PeriodPath
from ledger.entrypoints.http.models.problem import AUTHENTICATED, problem_responses
from ledger.entrypoints.http.ui.routes import XLSX, workbook_response
from projections.audit_views import parse_period

router = APIRouter(prefix="/v1/orgs/{org_id}", tags=["audit"])


@router.get("/audit/{period}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "The workbook: a cover sheet, a sheet per table."},
                       **problem_responses(*AUTHENTICATED, 404, 422)})
def audit_workbook(org_id: OrgIdPath, period: PeriodPath, org: ReadableOrg, services: ServicesDep,
                   known_at: KnownAt = None) -> Response:
    """The period's view as known at a point, as a workbook: Chinese headers, yuan, the view's hash on every sheet."""
    asked = parse_period(period)
    answer = services.views.view(org_id, asked, services.views.resolve_known_at(known_at))
    return workbook_response(org_id, asked, answer.body, answer.sha256)
