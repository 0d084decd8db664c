"""The per-account ledger (明细账) of one account over a range of dates: opening balance, every line
(date, voucher, 摘要, debit, credit, running balance), closing balance. Pure, like the views."""
from __future__ import annotations

from typing import Sequence

from ledger.domain.chart import CHART
from projections.facts import Fact
from projections.views.common import Row, journal
from projections.views.monthly import cash_journal
from projections.views.rules import Rules
from projections.views.yuan import yuan_strings


def account_book(org: Row, code: str, first: str, last: str, facts: Sequence[Fact], rules: Rules) -> Row:
    """明细账 of account ``code`` from ``first`` to ``last`` (inclusive) for the CO ``org``, from its facts."""
    in_log_order = sorted((f for f in facts if f.effective_date <= last), key=lambda f: (f.position, f.seq))
    book = cash_journal(journal(in_log_order, rules.red_ink), code, first, last)
    acct = CHART[code]
    body = {"view": "account_ledger", "title": "明细账", "org_id": org.get("org_id"), "org_name": org.get("name"),
            "account": code, "name_zh": acct.name_zh, "name_en": acct.name_en, "normal_side": acct.normal_side,
            "from": first, "to": last, **{k: v for k, v in book.items() if k not in ("account", "name_zh")}}
    if rules.books_2023:
        return {**yuan_strings(body), "rules_version": rules.version}
    return body
