"""The workbench's pages under /ui/: translate only (the figures come from ``workbench`` and the views)."""
from __future__ import annotations

import csv
import io
import secrets
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledger.adapters.sql.tokens import caller_or_none
from ledger.application import auditing
from ledger.application.dossier import build_dossier
from ledger.domain.audit import disclosure_entity_id
from ledger.domain.chart import CHART
from ledger.domain.errors import LedgerError, NotFound, RuleViolation
from ledger.domain.periods import Period
from ledger.entrypoints.http.present import present
from ledger.entrypoints.http.ui import labels
from ledger.entrypoints.http.ui.charts import bars
from ledger.entrypoints.http.ui.money import field, to_yuan
from ledger.entrypoints.http.ui.pages import TEMPLATES, FormDep, PageDep, language, secure, workbench_of
from ledger.entrypoints.http.ui.session import LANG_COOKIE, PRE_SESSION_COOKIE, SESSION_COOKIE
from ledger.entrypoints.http.ui.tables import fill
from ledger.entrypoints.http.ui.workbench import LATE_LIMIT, differences
from ledger.entrypoints.http.ui.workbook import rules_version, view_workbook
from ledger.verify.proofs import verify_dossier
from projections.audit_views import VIEW_OF_PERIOD, parse_period
from projections.views.common import concerns

router = APIRouter(prefix="/ui", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/ui", httponly=True, samesite="strict",
                        secure=secure(request))


# sign in and out ---------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, error: str | None = None) -> Response:
    bench, lang = workbench_of(request), language(request)
    pre = secrets.token_urlsafe(16)
    response = TEMPLATES.TemplateResponse(request, "login.html", {
        "t": lambda key: labels.label(lang, key), "lang": lang, "csrf": bench.codec.csrf(pre), "error": error,
        "page": None, "caller": None}, status_code=401 if error else 200)
    _cookie(response, request, PRE_SESSION_COOKIE, pre, max_age=3600)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    bench = workbench_of(request)
    form = await request.form()
    if not bench.codec.csrf_ok(request.cookies.get(PRE_SESSION_COOKIE), str(form.get("csrf") or "")):
        from ledger.entrypoints.http.ui.pages import csrf_refused
        return csrf_refused(request, Exception())
    token = str(form.get("token") or "").strip()
    if not token or caller_or_none(bench.services.engine, token) is None:
        return login_form(request, error="token_refused")
    sealed, _ = bench.codec.seal(token)
    response = RedirectResponse("/ui/", status_code=303)
    _cookie(response, request, SESSION_COOKIE, sealed)
    response.delete_cookie(PRE_SESSION_COOKIE, path="/ui")
    return response


@router.post("/logout")
def logout(page: PageDep, form: FormDep) -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui", httponly=True, samesite="strict", secure=secure(page.request))
    return response


@router.get("/lang/{lang}")
def switch_language(request: Request, lang: str, next: str = "/ui/") -> Response:
    target = next if next.startswith("/ui/") and "//" not in next else "/ui/"
    response = RedirectResponse(target, status_code=303)
    if lang in labels.LANGS:
        _cookie(response, request, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


# the street ----------------------------------------------------------------------------------------
def _year(page: PageDep, orgs: list[dict[str, Any]], asked: int | None) -> tuple[int, list[int]]:
    years = page.workbench.years([o["org_id"] for o in orgs])
    if asked is not None:
        return asked, years
    return (years[0] if years else datetime.now(timezone.utc).year), years


@router.get("/", response_class=HTMLResponse)
def dashboard(page: PageDep, year: int | None = None, sort: str = "org_id", desc: bool = False) -> Response:
    """The street dashboard: the caller's COs with this year's figures; a cooperative goes to its CO."""
    if page.caller.role == "cooperative":
        return RedirectResponse(f"/ui/orgs/{quote(str(page.caller.org_id))}", status_code=303)
    orgs = page.workbench.orgs_of(page.caller)
    year, years = _year(page, orgs, year)
    rows = page.workbench.dashboard(orgs, year)
    if rows and sort in rows[0]:
        rows.sort(key=lambda r: (r[sort] is None, r[sort] if r[sort] is not None else 0), reverse=desc)
    chart = bars([r["org_id"] for r in rows], [(page.t("income"), [r["income"] for r in rows]),
                                               (page.t("arrears"), [r["arrears"] for r in rows])],
                 page.t("chart_income_arrears"))
    return page.render("dashboard.html", rows=rows, year=year, years=years, chart=chart, sort=sort, desc=desc)


@router.get("/worklist", response_class=HTMLResponse)
def worklist(page: PageDep, year: int | None = None, kind: str | None = None) -> Response:
    orgs = page.workbench.orgs_of(page.caller)
    year, years = _year(page, orgs, year)
    rows = page.workbench.worklist(orgs, year)
    kinds = sorted({r["kind"] for r in rows})
    shown = [r for r in rows if not kind or r["kind"] == kind]
    return page.render("worklist.html", rows=shown, year=year, years=years, kinds=kinds, kind=kind,
                       counts={k: sum(1 for r in rows if r["kind"] == k) for k in kinds})


@router.get("/worklist.{fmt}")
def worklist_download(page: PageDep, fmt: str, year: int | None = None) -> Response:
    orgs = page.workbench.orgs_of(page.caller)
    year, _ = _year(page, orgs, year)
    rows = page.workbench.worklist(orgs, year)
    titles = [page.t(k) for k in ("org_id", "org", "period", "kind", "entity", "amount", "detail")]
    body = [[r["org_id"], r["org_name"], r["period"], page.t(r["kind"]), r["subject"] or "", r["amount"],
             r["detail"] + (f" · {page.t(r['when'][0])} {r['when'][1]}" if r["when"] else "")] for r in rows]
    name = f"worklist-{year}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(titles)
        writer.writerows([[("" if v is None else f"{v:.2f}" if i == 5 else v) for i, v in enumerate(row)]
                          for row in body])
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "审计工作清单"
        sheet.append(titles)
        for row in body:
            sheet.append(row)
            sheet.cell(sheet.max_row, 6).number_format = "#,##0.00"
        out_b = io.BytesIO()
        book.save(out_b)
        return Response(out_b.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    raise RuleViolation("download-format", f"the worklist downloads as csv or xlsx, not {fmt!r}", format=fmt)


# a CO ------------------------------------------------------------------------------------------------
@router.get("/orgs/{org_id}", response_class=HTMLResponse)
def org_page(page: PageDep, org_id: str) -> Response:
    org = page.org(org_id)
    return page.render("org.html", org=org, calendar=page.workbench.calendar(org_id),
                       findings=page.workbench.findings(org_id))


def _known_at(page: PageDep, known_at: str | None) -> int:
    return page.workbench.position(known_at or None)


@router.get("/orgs/{org_id}/periods/{period}", response_class=HTMLResponse)
def period_page(page: PageDep, org_id: str, period: str, known_at: str | None = None) -> Response:
    org, asked = page.org(org_id), parse_period(period)
    position = _known_at(page, known_at)
    answer = page.workbench.view(org_id, asked, position)
    body = answer.body
    closed = page.workbench.services.views.closing(org_id, asked)
    closing = None
    if closed is not None and closed.position <= position:
        as_closed = page.workbench.view(org_id, asked, closed.data["known_at_position"],
                                        int(closed.data.get("rules_version") or 1))
        closing = {"record": closed, "reproduced": as_closed.sha256 == closed.data["view_sha256"],
                   "adjustments": page.workbench.services.views.adjustments(org_id, asked, closed.position)}
    findings = [f for f in page.workbench.findings(org_id, upto=position) if concerns(f["period"], asked)]
    tables = [f for f in fill(body) if f.table.id != "findings"]
    return page.render("period.html", org=org, period=asked, body=body, answer=answer, tables=tables,
                       charts=_charts(page, body, org), closing=closing, findings=findings, known_at=known_at or "",
                       rules=rules_version(body), today=_today().isoformat(), today_date=_today(),
                       can_close=page.caller.role == "auditor" and closed is None and asked.end < _today(),
                       published=_published(page, org_id, asked))


def _published(page: PageDep, org_id: str, period: Period) -> bool:
    return bool(page.workbench.services.reader.records(org_ids=[org_id], entity_id=disclosure_entity_id(str(period)),
                                                       type="StatementsPublished", limit=1))


def _charts(page: PageDep, body: dict[str, Any], org: dict[str, Any]) -> list[Any]:
    charts = []
    kind = body.get("view")
    if kind == "monthly":
        rows = (body.get("income_expense") or {}).get("by_account") or []
        if rows:
            charts.append(bars([f"{r['account']} {r.get('name_zh', '')}" for r in rows],
                               [(page.t("amount"), [to_yuan(field(r, "amount")) for r in rows])],
                               page.t("chart_income_expense")))
    elif kind == "quarterly":
        totals = (body.get("arrears") or {}).get("totals") or {}
        buckets = ("not_due", "days_0_30", "days_31_90", "days_91_180", "days_over_180")
        charts.append(bars([page.t(b) for b in buckets], [(page.t("arrears"), [to_yuan(field(totals, b))
                                                                               for b in buckets])],
                           page.t("chart_ageing")))
    elif kind == "yearly":
        sheet = body.get("balance_sheet") or {}
        if "lines" in sheet:  # the 2023 layout: its asset lines (before 资产总计) that name accounts
            items = [r.get("item") for r in sheet["lines"]]
            last = items.index("total_assets") if "total_assets" in items else len(items)
            lines = [r for r in sheet["lines"][:last] if r.get("accounts") and to_yuan(field(r, "closing"))]
            labels_ = [str(r.get("name_zh")) for r in lines]
        else:
            lines = (sheet.get("assets") or {}).get("lines") or []
            labels_ = [f"{r['account']} {r.get('name_zh', '')}" for r in lines]
        if lines:
            charts.append(bars(labels_, [(page.t("closing"), [to_yuan(field(r, "closing")) for r in lines])],
                               page.t("chart_assets")))
        months = page.workbench.months(org, int(body["period"]), int(body["known_at"]["position"]))
        charts.append(bars([m["period"] for m in months], [(page.t("income_month"), [m["income"] for m in months]),
                                                           (page.t("expense"), [m["expense"] for m in months])],
                           page.t("chart_income_expense_months")))
    return charts


@router.get("/orgs/{org_id}/periods/{period}/workbook.xlsx")
def period_workbook(page: PageDep, org_id: str, period: str, known_at: str | None = None) -> Response:
    page.org(org_id)
    asked = parse_period(period)
    answer = page.workbench.view(org_id, asked, _known_at(page, known_at))
    return workbook_response(org_id, asked, answer.body, answer.sha256, page.lang)


def workbook_response(org_id: str, period: Period, body: dict[str, Any], sha256: str, lang: str = "zh") -> Response:
    name = f"{org_id}-{period}-p{(body.get('known_at') or {}).get('position', 0)}.xlsx"
    return Response(view_workbook(body, sha256, lang), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/orgs/{org_id}/periods/{period}/replay", response_class=HTMLResponse)
def replay(page: PageDep, org_id: str, period: str, known_at: str | None = None) -> Response:
    """The view as known at an earlier point beside now: what changed, and the events recorded between."""
    org, asked = page.org(org_id), parse_period(period)
    now_position = page.workbench.position()
    then_position = _known_at(page, known_at) if known_at else now_position
    then, now = page.workbench.view(org_id, asked, then_position), page.workbench.view(org_id, asked, now_position)
    then_at, now_at = then.body["known_at"]["position"], now.body["known_at"]["position"]
    late = page.workbench.late_events(org_id, asked, then_at, now_at)
    return page.render("replay.html", org=org, period=asked, then=then, now=now, known_at=known_at or "",
                       changes=differences(then.body, now.body), late=late[:LATE_LIMIT], more=len(late) > LATE_LIMIT,
                       rules_changed=rules_version(then.body) != rules_version(now.body),
                       rules_then=rules_version(then.body), rules_now=rules_version(now.body))


# drill-down ------------------------------------------------------------------------------------------
@router.get("/orgs/{org_id}/accounts/{code}", response_class=HTMLResponse)
def account_page(page: PageDep, org_id: str, code: str, period: str, known_at: str | None = None) -> Response:
    """明细账 of one account over a period: opening balance, every line with its running balance, closing."""
    org, asked = page.org(org_id), parse_period(period)
    if code not in CHART:
        raise NotFound("account-unknown", f"no account {code!r} in the 2023 chart", account=code)
    views = page.workbench.services.views
    book = views.account_book(org_id, code, asked.start.isoformat(), asked.end.isoformat(),
                              _known_at(page, known_at), None)
    return page.render("account.html", org=org, period=asked, code=code, book=book.body, sha256=book.sha256)


@router.get("/orgs/{org_id}/vouchers/{voucher_id}", response_class=HTMLResponse)
def voucher_page(page: PageDep, org_id: str, voucher_id: str) -> Response:
    org = page.org(org_id)
    records = page.workbench.services.reader.records(org_ids=[org_id], entity_id=voucher_id, limit=1000)
    if not records:
        raise LedgerError("entity-exists", f"{org_id} has no voucher {voucher_id!r}", org_id=org_id)
    shown = [present(r) for r in records]
    return page.render("voucher.html", org=org, voucher_id=voucher_id, records=shown, first=shown[0])


@router.get("/orgs/{org_id}/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(page: PageDep, org_id: str, entity_id: str) -> Response:
    """The entity's events and its dossier, with each proof verified here (the offline verifier's code)."""
    org = page.org(org_id)
    services = page.workbench.services
    dossier = build_dossier(services.proofs, org_id, entity_id, services.signer.vkey)
    result = verify_dossier(dossier, services.signer.vkey)
    failed = {f.position for f in result.failures if f.position is not None}
    unanchored_ok = not any(f.position is None for f in result.failures)
    events = [{**e["record"], "leaf_index": e["leaf_index"], "leaf_hash": e["leaf_hash"],
               "proof_len": len(e["inclusion_proof"]), "verified": unanchored_ok and e["position"] not in failed}
              for e in dossier["events"]]
    return page.render("entity.html", org=org, entity_id=entity_id, dossier=dossier, result=result, events=events)


# acts --------------------------------------------------------------------------------------------------
@router.get("/orgs/{org_id}/findings/new", response_class=HTMLResponse)
def finding_form(page: PageDep, org_id: str, period: str = "", subject: str = "", title: str = "") -> Response:
    org = page.org(org_id)
    page.caller.require_role("auditor")
    return page.render("finding_new.html", org=org, period=period, subject=subject, title=title,
                       finding_id=f"SJ-{_today():%Y%m%d}-{secrets.token_hex(2).upper()}")


@router.post("/orgs/{org_id}/findings")
def record_finding(page: PageDep, form: FormDep, org_id: str) -> Response:
    page.org(org_id)
    page.caller.require_role("auditor")
    parse_period(form.get("period", ""))
    subjects = [s for s in form.get("subject_ids", "").split() if s]
    data = {"period": form["period"], "title": form.get("title", ""), "detail": form.get("detail", ""),
            "severity": form.get("severity") or "medium", "subject_ids": subjects}
    auditing.record_finding(page.workbench.services.appender, org_id, page.caller.subject,
                            form.get("finding_id", ""), _today(), data)
    return RedirectResponse(f"/ui/orgs/{quote(org_id)}/periods/{quote(form['period'])}#findings", status_code=303)


@router.post("/orgs/{org_id}/periods/{period}/close", response_class=HTMLResponse)
def close_period(page: PageDep, form: FormDep, org_id: str, period: str) -> Response:
    page.org(org_id)
    page.caller.require_role("auditor")
    asked = parse_period(period)
    closed_on = date.fromisoformat(form.get("closed_on") or _today().isoformat())
    services = page.workbench.services
    done = auditing.close_period(services.appender, services.views, services.reader, org_id, page.caller.subject,
                                 asked, VIEW_OF_PERIOD[asked.kind], closed_on)
    return page.render("closed.html", status=201, org=page.org(org_id), period=asked, closed=done)


@router.post("/orgs/{org_id}/periods/{period}/publish")
def publish(page: PageDep, form: FormDep, org_id: str, period: str) -> Response:
    """Publish the period's statements on the disclosure board (auditor); the public page needs no token."""
    page.org(org_id)
    page.caller.require_role("auditor")
    asked = parse_period(period)
    services = page.workbench.services
    auditing.publish_statements(services.appender, services.views, services.reader, org_id, page.caller.subject,
                                asked, VIEW_OF_PERIOD[asked.kind], _today())
    return RedirectResponse(f"/public/{quote(org_id)}/{asked}", status_code=303)


def _today() -> date:
    return datetime.now(timezone.utc).date()
