"""The year-end statements: balance sheet (资产负债表) and income and distribution statement (收益及收益分配表).

Income and expense accounts are folded into equity so that the balance sheet balances whether or
not the bookkeeper has closed them: the year's income less expense goes to 321 本年收益, earlier
years' to 322 收益分配 (undistributed). Closing vouchers (结转: only income, expense and 321 lines)
move amounts between these and change neither line; the income statement leaves them out.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from ledger.domain.chart import CHART
from projections.views.common import Posting, Row, account_of, day_before, turnover

RESULT_SECTIONS = ("income", "expense")
BS_SECTIONS = {"asset": "assets", "cost": "assets", "liability": "liabilities", "equity": "equity"}
"""Balance-sheet side of each chart section; 401 生产(劳务)成本 counts with the assets (存货)."""

INCOME_LINES: tuple[tuple[str, str, str, str | None], ...] = (
    ("operating_income", "经营收入", "+", "501"),
    ("investment_income", "投资收益", "+", "502"),
    ("operating_expense", "经营支出", "-", "511"),
    ("taxes_and_surcharges", "税金及附加", "-", "512"),
    ("management_expense", "管理费用", "-", "513"),
    ("operating_result", "经营收益", "=", None),
    ("subsidy_income", "补助收入", "+", "503"),
    ("other_income", "其他收入", "+", "504"),
    ("public_welfare_expense", "公益支出", "-", "514"),
    ("other_expense", "其他支出", "-", "515"),
    ("total_result", "收益总额", "=", None),
    ("income_tax", "所得税费用", "-", "521"),
    ("current_year_result", "本年收益", "=", None),
    ("undistributed_prior_year", "年初未分配收益", "+", None),
    ("distributable", "可分配收益", "=", None),
    ("reserve_fund", "提取公积公益金", "-", None),
    ("member_distribution", "成员分配", "-", None),
    ("other_distribution", "其他分配", "-", None),
    ("undistributed_year_end", "年末未分配收益", "=", None),
)
"""The income flow of DOMAIN.md in the order of the 2023 statement; '=' lines are running totals."""


RESULT_ACCOUNTS = frozenset(code for code, acct in CHART.items() if acct.section in RESULT_SECTIONS)
"""The income and expense accounts (5xx)."""


def is_result_account(code: str) -> bool:
    return code in RESULT_ACCOUNTS


def closing_vouchers(postings: Iterable[Posting], posted: frozenset[str] = frozenset()) -> set[str]:
    """Vouchers (and reversals) carrying income and expense to 321: only 5xx and 321 lines, both present;
    and the closings the ledger posted (``posted``: ClosingPosted, rules v2) among the postings."""
    accounts: dict[str, set[str]] = {}
    for p in postings:
        accounts.setdefault(p.voucher, set()).add(p.account)
    return {voucher for voucher, codes in accounts.items()
            if voucher in posted
            or "321" in codes and len(codes) > 1 and all(c == "321" or is_result_account(c) for c in codes)}


def net_result(postings: Iterable[Posting], first: str | None, last: str, skip: frozenset[str] = frozenset()) -> int:
    """Income less expense of the postings dated ``first..last`` (from the start when None), skipping vouchers."""
    return sum(p.credit - p.debit for p in postings
               if is_result_account(p.account) and p.voucher not in skip
               and p.date <= last and (first is None or first <= p.date))


def balance_sheet_amounts(postings: Sequence[Posting], day: str) -> dict[str, int]:
    """Each balance-sheet account's amount at ``day``: assets net of contra accounts, claims as credits."""
    amounts: dict[str, int] = {}
    for code, (debit, credit) in turnover(postings, None, day).items():
        section = account_of(code).section
        if section in BS_SECTIONS:
            amounts[code] = debit - credit if BS_SECTIONS[section] == "assets" else credit - debit
    year_start = f"{day[:4]}-01-01"
    amounts["321"] = amounts.get("321", 0) + net_result(postings, year_start, day)
    amounts["322"] = amounts.get("322", 0) + net_result(postings, None, day_before(year_start))
    return amounts


def balance_sheet(postings: Sequence[Posting], start: str, end: str) -> Row:
    """The balance sheet at the day before ``start`` (年初数) and at ``end`` (年末数)."""
    opening, closing = balance_sheet_amounts(postings, day_before(start)), balance_sheet_amounts(postings, end)
    sides: dict[str, list[Row]] = {"assets": [], "liabilities": [], "equity": []}
    for code in sorted(set(opening) | set(closing)):
        acct = account_of(code)
        if opening.get(code, 0) or closing.get(code, 0) or code in ("321", "322"):
            sides[BS_SECTIONS[acct.section]].append({
                "account": code, "name_zh": acct.name_zh, "name_en": acct.name_en, "section": acct.section,
                "contra": acct.contra, "opening_fen": opening.get(code, 0), "closing_fen": closing.get(code, 0)})
    sheet: Row = {side: {"lines": rows, "opening_fen": sum(r["opening_fen"] for r in rows),
                         "closing_fen": sum(r["closing_fen"] for r in rows)} for side, rows in sides.items()}
    for column in ("opening_fen", "closing_fen"):
        claims = sheet["liabilities"][column] + sheet["equity"][column]
        sheet[f"liabilities_and_equity_{column}"] = claims
        sheet[f"balanced_{column.removesuffix('_fen')}"] = sheet["assets"][column] == claims
    return sheet


def account_movement(postings: Iterable[Posting], code: str, first: str, last: str, skip: frozenset[str]) -> int:
    """The movement of one account on its normal side, ``first..last``, leaving out the skipped vouchers."""
    acct = CHART[code]
    return sum(acct.signed("debit", p.debit) + acct.signed("credit", p.credit) for p in postings
               if p.account == code and p.voucher not in skip and first <= p.date <= last)


def income_statement(postings: Sequence[Posting], start: str, end: str, appropriations: dict[str, int],
                     closings: frozenset[str] = frozenset()) -> Row:
    """The income and distribution statement of ``start..end``, line by line, with a check against the books.

    ``appropriations`` holds reserve_fund, member_distribution and other_distribution (the plans
    declared in the year). The undistributed result at the start is what the books hold then:
    321 + 322 and income not yet closed. ``books_difference_fen`` is the undistributed result the
    balance sheet shows at the end less the statement's: zero when the plans were booked as declared.
    """
    skip = frozenset(closing_vouchers((p for p in postings if start <= p.date <= end), closings))
    opening = balance_sheet_amounts(postings, day_before(start))
    known = {"undistributed_prior_year": opening["321"] + opening["322"], **appropriations}
    lines: list[Row] = []
    running = 0
    for item, name_zh, sign, code in INCOME_LINES:
        if sign == "=":
            amount = running
        else:
            amount = account_movement(postings, code, start, end, skip) if code else known.get(item, 0)
            running += amount if sign == "+" else -amount
        lines.append({"item": item, "name_zh": name_zh, "sign": sign, "account": code, "amount_fen": amount})
    closing = balance_sheet_amounts(postings, end)
    per_books = closing["321"] + closing["322"]
    return {"lines": lines, "undistributed_per_books_fen": per_books,
            "books_difference_fen": per_books - running, "closing_vouchers": sorted(skip)}
