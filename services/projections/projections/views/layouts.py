"""The statements in the layouts of the 2023 system (农村集体经济组织会计制度, 财会〔2023〕14号), rules v2.

资产负债表 (balance sheet): numbered lines (行次) with their Chinese names, columns 年初数 (at the
start of the year) and 期末数 (at the end of the month or year asked); 收益及收益分配表 (income and
distribution statement): the same lines as ``statements.INCOME_LINES`` numbered, columns 本年数
(this year) and 上年数 (the year before). The line numbers are ours, in the order of the 2023
formats; the names are the formats'. Contra accounts (累计折旧, 累计摊销...) appear as "减：" lines
with their balance as a positive amount, and the net lines follow.
"""
from __future__ import annotations

from typing import Sequence

from projections.views.common import Posting, Row, day_before
from projections.views.statements import balance_sheet_amounts, income_statement

# (item, name, what): what is a tuple of account codes (their amounts summed, contra accounts
# as the positive "减" figure when the item starts with "less_"), or ("=", items, signs) a total.
Spec = tuple[str, str, tuple]

ASSET_LINES: tuple[Spec, ...] = (
    ("cash_and_bank", "货币资金", ("101", "102")),
    ("short_term_investments", "短期投资", ("111",)),
    ("receivables", "应收款项", ("112", "113")),
    ("inventories", "存货", ("121", "401")),
    ("consumable_biological_assets", "消耗性生物资产", ("131",)),
    ("current_assets", "流动资产合计", ("=", ("cash_and_bank", "short_term_investments", "receivables",
                                           "inventories", "consumable_biological_assets"), (1, 1, 1, 1, 1))),
    ("long_term_investments", "长期投资", ("141",)),
    ("productive_biological_assets_cost", "生产性生物资产原值", ("132",)),
    ("less_productive_biological_depreciation", "减：生产性生物资产累计折旧", ("133",)),
    ("productive_biological_assets_net", "生产性生物资产净值",
     ("=", ("productive_biological_assets_cost", "less_productive_biological_depreciation"), (1, -1))),
    ("fixed_assets_cost", "固定资产原值", ("151",)),
    ("less_accumulated_depreciation", "减：累计折旧", ("152",)),
    ("fixed_assets_net", "固定资产净值", ("=", ("fixed_assets_cost", "less_accumulated_depreciation"), (1, -1))),
    ("fixed_assets_in_disposal", "固定资产清理", ("154",)),
    ("construction_in_progress", "在建工程", ("153",)),
    ("intangible_assets_cost", "无形资产原值", ("161",)),
    ("less_accumulated_amortization", "减：累计摊销", ("162",)),
    ("intangible_assets_net", "无形资产净值",
     ("=", ("intangible_assets_cost", "less_accumulated_amortization"), (1, -1))),
    ("public_welfare_biological_assets", "公益性生物资产", ("134",)),
    ("long_term_deferred_expenses", "长期待摊费用", ("171",)),
    ("pending_property_losses", "待处理财产损溢", ("181",)),
    ("non_current_assets", "非流动资产合计", ("=", ("long_term_investments", "productive_biological_assets_net",
                                              "fixed_assets_net", "fixed_assets_in_disposal",
                                              "construction_in_progress", "intangible_assets_net",
                                              "public_welfare_biological_assets", "long_term_deferred_expenses",
                                              "pending_property_losses"), (1,) * 9)),
    ("total_assets", "资产总计", ("=", ("current_assets", "non_current_assets"), (1, 1))),
)

CLAIM_LINES: tuple[Spec, ...] = (
    ("short_term_borrowings", "短期借款", ("201",)),
    ("payables", "应付款项", ("211",)),
    ("wages_payable", "应付工资", ("212",)),
    ("labour_fees_payable", "应付劳务费", ("213",)),
    ("taxes_payable", "应交税费", ("214",)),
    ("current_liabilities", "流动负债合计", ("=", ("short_term_borrowings", "payables", "wages_payable",
                                               "labour_fees_payable", "taxes_payable"), (1,) * 5)),
    ("long_term_borrowings", "长期借款及应付款", ("221",)),
    ("case_by_case_funds", "一事一议资金", ("231",)),
    ("special_payables", "专项应付款", ("241",)),
    ("non_current_liabilities", "非流动负债合计", ("=", ("long_term_borrowings", "case_by_case_funds",
                                                   "special_payables"), (1, 1, 1))),
    ("total_liabilities", "负债合计", ("=", ("current_liabilities", "non_current_liabilities"), (1, 1))),
    ("capital", "资本", ("301",)),
    ("reserve_fund", "公积公益金", ("311",)),
    ("undistributed_result", "未分配收益", ("321", "322")),
    ("total_equity", "所有者权益合计", ("=", ("capital", "reserve_fund", "undistributed_result"), (1, 1, 1))),
    ("total_liabilities_and_equity", "负债和所有者权益总计", ("=", ("total_liabilities", "total_equity"), (1, 1))),
)


def _figures(specs: Sequence[Spec], amounts: dict[str, int]) -> dict[str, int]:
    figures: dict[str, int] = {}
    for item, _, what in specs:
        if what and what[0] == "=":
            figures[item] = sum(sign * figures[part] for part, sign in zip(what[1], what[2]))
        else:
            total = sum(amounts.get(code, 0) for code in what)
            figures[item] = -total if item.startswith("less_") else total
    return figures


def balance_sheet_2023(postings: Sequence[Posting], year_start: str, end: str) -> Row:
    """资产负债表 at ``end`` with the year's opening column (the day before ``year_start``)."""
    opening = balance_sheet_amounts(postings, day_before(year_start))
    closing = balance_sheet_amounts(postings, end)
    specs = ASSET_LINES + CLAIM_LINES
    first, last = _figures(specs, opening), _figures(specs, closing)
    lines = [{"line": number, "item": item, "name_zh": name, "accounts": [] if what and what[0] == "=" else list(what),
              "opening_fen": first[item], "closing_fen": last[item]}
             for number, (item, name, what) in enumerate(specs, start=1)]
    return {"title": "资产负债表", "as_of": end, "columns": {"opening": "年初数", "closing": "期末数"}, "lines": lines,
            "balanced_opening": first["total_assets"] == first["total_liabilities_and_equity"],
            "balanced_closing": last["total_assets"] == last["total_liabilities_and_equity"]}


def income_statement_2023(postings: Sequence[Posting], start: str, end: str, appropriations: dict[str, int],
                          prior_appropriations: dict[str, int], closings: frozenset[str]) -> Row:
    """收益及收益分配表 of the year ``start..end`` (本年数) beside the year before (上年数)."""
    this_year = income_statement(postings, start, end, appropriations, closings)
    prior_start, prior_end = f"{int(start[:4]) - 1}-01-01", day_before(start)
    last_year = income_statement(postings, prior_start, prior_end, prior_appropriations, closings)
    lines = [{"line": number, "item": now["item"], "name_zh": now["name_zh"], "sign": now["sign"],
              "account": now["account"], "current_fen": now["amount_fen"], "prior_fen": before["amount_fen"]}
             for number, (now, before) in enumerate(zip(this_year["lines"], last_year["lines"]), start=1)]
    return {"title": "收益及收益分配表", "columns": {"current": "本年数", "prior": "上年数"}, "lines": lines,
            "undistributed_per_books_fen": this_year["undistributed_per_books_fen"],
            "books_difference_fen": this_year["books_difference_fen"],
            "closing_vouchers": sorted(set(this_year["closing_vouchers"]) | set(last_year["closing_vouchers"]))}
