"""The chart of accounts of the 2023 system (农村集体经济组织会计制度, 财会〔2023〕14号).

Vouchers may use only these codes. Each account names its section and its normal balance side,
which drive the trial balance (科目余额表) and the balance sheet (资产负债表) of the audit views.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Section = Literal["asset", "liability", "equity", "cost", "income", "expense"]
Side = Literal["debit", "credit"]

SECTIONS: tuple[Section, ...] = ("asset", "liability", "equity", "cost", "income", "expense")


@dataclass(frozen=True)
class Account:
    """One account of the chart: code, Chinese and English names, section, normal balance side."""

    code: str
    name_zh: str
    name_en: str
    section: Section
    normal_side: Side

    @property
    def contra(self) -> bool:
        """An account whose normal side is the opposite of its section's (e.g. 累计折旧)."""
        return self.normal_side != SECTION_SIDE[self.section]

    def signed(self, side: Side, amount_fen: int) -> int:
        """The amount as it moves this account's balance on its normal side (+) or against it (-)."""
        return amount_fen if side == self.normal_side else -amount_fen


SECTION_SIDE: dict[Section, Side] = {
    "asset": "debit",
    "liability": "credit",
    "equity": "credit",
    "cost": "debit",
    "income": "credit",
    "expense": "debit",
}

_ROWS: tuple[tuple[str, str, str, Section, Side], ...] = (
    ("101", "库存现金", "Cash on hand", "asset", "debit"),
    ("102", "银行存款", "Bank deposits", "asset", "debit"),
    ("111", "短期投资", "Short-term investments", "asset", "debit"),
    ("112", "应收款", "Receivables", "asset", "debit"),
    ("113", "内部往来", "Internal current accounts", "asset", "debit"),
    ("121", "库存物资", "Inventories", "asset", "debit"),
    ("131", "消耗性生物资产", "Consumable biological assets", "asset", "debit"),
    ("132", "生产性生物资产", "Productive biological assets", "asset", "debit"),
    ("133", "生产性生物资产累计折旧", "Accumulated depreciation of productive biological assets", "asset", "credit"),
    ("134", "公益性生物资产", "Public-welfare biological assets", "asset", "debit"),
    ("141", "长期投资", "Long-term investments", "asset", "debit"),
    ("151", "固定资产", "Fixed assets", "asset", "debit"),
    ("152", "累计折旧", "Accumulated depreciation", "asset", "credit"),
    ("153", "在建工程", "Construction in progress", "asset", "debit"),
    ("154", "固定资产清理", "Fixed assets in disposal", "asset", "debit"),
    ("161", "无形资产", "Intangible assets", "asset", "debit"),
    ("162", "累计摊销", "Accumulated amortization", "asset", "credit"),
    ("171", "长期待摊费用", "Long-term deferred expenses", "asset", "debit"),
    ("181", "待处理财产损溢", "Property losses and gains pending", "asset", "debit"),
    ("201", "短期借款", "Short-term borrowings", "liability", "credit"),
    ("211", "应付款", "Payables", "liability", "credit"),
    ("212", "应付工资", "Wages payable", "liability", "credit"),
    ("213", "应付劳务费", "Labour fees payable", "liability", "credit"),
    ("214", "应交税费", "Taxes payable", "liability", "credit"),
    ("221", "长期借款及应付款", "Long-term borrowings and payables", "liability", "credit"),
    ("231", "一事一议资金", "Case-by-case project funds", "liability", "credit"),
    ("241", "专项应付款", "Special-purpose payables", "liability", "credit"),
    ("301", "资本", "Capital", "equity", "credit"),
    ("311", "公积公益金", "Reserve and public-welfare fund", "equity", "credit"),
    ("321", "本年收益", "Current-year result", "equity", "credit"),
    ("322", "收益分配", "Distribution of results", "equity", "credit"),
    ("401", "生产(劳务)成本", "Production (service) costs", "cost", "debit"),
    ("501", "经营收入", "Operating income", "income", "credit"),
    ("502", "投资收益", "Investment income", "income", "credit"),
    ("503", "补助收入", "Subsidy income", "income", "credit"),
    ("504", "其他收入", "Other income", "income", "credit"),
    ("511", "经营支出", "Operating expenses", "expense", "debit"),
    ("512", "税金及附加", "Taxes and surcharges", "expense", "debit"),
    ("513", "管理费用", "Management expenses", "expense", "debit"),
    ("514", "公益支出", "Public-welfare expenses", "expense", "debit"),
    ("515", "其他支出", "Other expenses", "expense", "debit"),
    ("521", "所得税费用", "Income tax expense", "expense", "debit"),
)

CHART: dict[str, Account] = {row[0]: Account(*row) for row in _ROWS}
"""Code -> account, in code order."""


def account(code: str) -> Account | None:
    """The account with this code, or None if the 2023 chart has no such code."""
    return CHART.get(code)


def accounts_in(section: Section) -> list[Account]:
    """The accounts of one section, in code order."""
    return [a for a in CHART.values() if a.section == section]
