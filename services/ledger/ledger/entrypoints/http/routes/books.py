"""The books over HTTP: the closing command (期末结转) and the per-account ledger (明细账)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from ledger.application.books_closing import close_books
from ledger.contracts.base import DateFormatError, iso_date_only
from ledger.contracts.text import DATE_PATTERN
from ledger.domain.chart import CHART
from ledger.domain.errors import NotFound, RuleViolation
from ledger.entrypoints.http.deps import CallerDep, ReadableOrg, ServicesDep
from ledger.entrypoints.http.models.books import AccountBookOut, ClosingOut
from ledger.entrypoints.http.models.params import KnownAt, OrgIdPath, PeriodPath
from ledger.entrypoints.http.models.problem import AUTHENTICATED, problem_responses
from projections.audit_views import parse_period

router = APIRouter(prefix="/v1/orgs/{org_id}/books", tags=["books"])

DateQuery = Annotated[str | None, Query(pattern=DATE_PATTERN, description="YYYY-MM-DD (ASCII digits), in "
                                        "1949-10-01..2199-12-31.")]
AccountCode = Annotated[str, Path(pattern=r"^[0-9]{3}$", description="An account of the 2023 chart, e.g. 501.")]
RulesQuery = Annotated[str | None, Query(pattern=r"^[0-9]{1,3}$", description="Books rules version (1 or 2).")]


@router.post("/{period}/closing", status_code=status.HTTP_201_CREATED, response_model=ClosingOut,
             responses=problem_responses(*AUTHENTICATED, 404, 409, 422))
def post_closing(org_id: OrgIdPath, period: PeriodPath, caller: CallerDep, services: ServicesDep) -> ClosingOut:
    """Close a month or year (bookkeeper): 5xx to 321, at year end 321 to 322, computed from the books."""
    caller.require_append(org_id)
    services.reader.organization(org_id)
    closed = close_books(services.appender, services.views, org_id, caller.subject, parse_period(period), _today())
    return ClosingOut.model_validate({"voucher_id": closed.voucher_id, **closed.data, "receipt": closed.receipt})


@router.get("/accounts/{code}", response_model=AccountBookOut, responses=problem_responses(*AUTHENTICATED, 404, 422))
def account_ledger(org_id: OrgIdPath, code: AccountCode, org: ReadableOrg, services: ServicesDep,
                   from_: Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN, description="First day "
                                                      "(YYYY-MM-DD); default January 1 of the last day's year.")] = None,
                   to: DateQuery = None,
                   known_at: KnownAt = None,
                   rules: RulesQuery = None,
                   ) -> AccountBookOut:
    """The per-account ledger (明细账): opening balance, every line with its running balance, closing balance."""
    if code not in CHART:
        raise NotFound("account-unknown", f"no account {code!r} in the 2023 chart (财会〔2023〕14号)", account=code)
    last = _day("to", to) if to else _today().isoformat()
    first = _day("from", from_) if from_ else f"{last[:4]}-01-01"
    if first > last:
        raise RuleViolation("date-range", f"from {first} is after to {last}", **{"from": first, "to": last})
    views = services.views
    answer = views.account_book(org_id, code, first, last, views.resolve_known_at(known_at),
                                None if rules is None else _rules(rules))
    return AccountBookOut.model_validate(answer.to_json())


def _rules(text: str) -> int:
    from projections.views.rules import rules_of

    return rules_of(text).version


def _day(name: str, text: str) -> str:
    try:
        day: Any = iso_date_only(text)
        return date.fromisoformat(day).isoformat()
    except (DateFormatError, ValueError) as exc:
        raise RuleViolation("date-format", f"{name}: {exc}", **{name: text}) from None


def _today() -> date:
    """The day in UTC (the closing command's check that the period has ended)."""
    return datetime.now(timezone.utc).date()
