"""The statements and lists of each view, as tables: one spec read by the pages and the workbooks.

A ``Table`` names its rows and totals in a view's body and its columns (catalogue label, field,
whether it is money, what it links to). Optional columns (``optional=True``: 行次, 上年数) show
only when the view carries them. The page renders these tables and the workbook writes them, so
a figure on the page and in the workbook come from the same field of the same view.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ledger.entrypoints.http.ui.money import field

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    money: bool = False
    link: str | None = None
    """"account", "voucher" or "entity": the cell links to that page."""
    optional: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    rows: Callable[[Row], list[Row]]
    columns: tuple[Column, ...]
    total: Callable[[Row], Row | None] = lambda view: None
    statement: bool = False
    """One of the four statements (printed, and a sheet of the workbook)."""
    section: str = ""
    """The view's key the table reads; a view without it shows no such table."""

    def shown_columns(self, rows: list[Row]) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.optional or any(field(r, c.key) is not None for r in rows))


def at(view: Row, *path: str) -> Any:
    """The value at ``path`` in a view (None where a key is missing)."""
    node: Any = view
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _list(*path: str) -> Callable[[Row], list[Row]]:
    return lambda view: list(at(view, *path) or [])


def _dict(*path: str) -> Callable[[Row], Row | None]:
    return lambda view: at(view, *path)


def balance_sheet_rows(view: Row) -> list[Row]:
    """The balance sheet's lines: the 2023 layout's numbered lines (totals among them) when the view has
    them, else assets then liabilities then equity, each side with its subtotal."""
    sheet = at(view, "balance_sheet") or {}
    if "lines" in sheet:
        return list(sheet["lines"])
    rows: list[Row] = []
    for side, name in (("assets", "资产合计"), ("liabilities", "负债合计"), ("equity", "所有者权益合计")):
        part = sheet.get(side) or {}
        rows.extend(part.get("lines") or [])
        rows.append({"name_zh": name, "subtotal": True,
                     **{k: v for k, v in part.items() if k != "lines"}})
    return rows


def balance_sheet_total(view: Row) -> Row | None:
    sheet = at(view, "balance_sheet")
    if not sheet or "lines" in sheet:
        return None
    return {"name_zh": "负债和所有者权益总计",
            **{key.removeprefix("liabilities_and_equity_"): value for key, value in sheet.items()
               if key.startswith("liabilities_and_equity_")}}


def income_expense_total(view: Row) -> Row | None:
    totals = at(view, "income_expense", "totals")
    if totals is None:
        return None
    return {"name_zh": "收支净额", "amount": field(totals, "net")}


ACCOUNT = Column("account", "account", link="account")
ACCOUNT_NAME = Column("name_zh", "account_name")
LINE_NO = Column("line", "line_no", optional=True)

TRIAL_BALANCE = Table("trial_balance", "t_trial_balance", _list("trial_balance", "accounts"), (
    ACCOUNT, ACCOUNT_NAME,
    *(Column(key, key, money=True) for key in ("opening_debit", "opening_credit", "debit", "credit",
                                                "closing_debit", "closing_credit"))),
    total=_dict("trial_balance", "totals"), statement=True, section="trial_balance")
INCOME_EXPENSE = Table("income_expense", "t_income_expense", _list("income_expense", "by_account"), (
    ACCOUNT, ACCOUNT_NAME, Column("section", "section"), Column("amount", "amount", money=True)),
    total=income_expense_total, statement=True, section="income_expense")
BALANCE_SHEET = Table("balance_sheet", "t_balance_sheet", balance_sheet_rows, (
    LINE_NO, Column("account", "account", link="account", optional=True), ACCOUNT_NAME,
    Column("opening", "opening", money=True), Column("closing", "closing", money=True)),
    total=balance_sheet_total, statement=True, section="balance_sheet")
INCOME_STATEMENT = Table("income_statement", "t_income_statement", _list("income_statement", "lines"), (
    LINE_NO, Column("name_zh", "item"), Column("account", "account", link="account"),
    Column("amount", "this_year", money=True, optional=True), Column("current", "this_year", money=True, optional=True),
    Column("prior", "prior_year", money=True, optional=True)), statement=True, section="income_statement")
RECONCILIATIONS = Table("reconciliations", "t_reconciliations", _list("reconciliations", "checks"), (
    Column("name_zh", "check"), Column("check", "rule"), Column("books", "books", money=True),
    Column("register", "register", money=True), Column("difference", "difference", money=True)),
    section="reconciliations")
VOUCHERS = Table("vouchers", "t_vouchers", _list("vouchers"), (
    Column("date", "date"), Column("voucher", "voucher", link="voucher"), Column("description", "memo"),
    Column("total", "amount", money=True)))
LEASES = Table("leases", "t_leases", _list("lease_roll", "active"), (
    Column("lease_id", "lease", link="entity"), Column("asset_id", "asset", link="entity"),
    Column("lessee", "lessee"), Column("start", "start"), Column("ends_on", "end"),
    Column("annual_rent", "annual_rent", money=True), Column("days_to_expiry", "days_to_expiry")))
EXPIRING = Table("expiring", "t_expiring", _list("lease_roll", "expiring"), LEASES.columns)
RENT = Table("rent", "t_rent", _list("rent", "leases"), (
    Column("lease_id", "lease", link="entity"), Column("lessee", "lessee"),
    Column("invoiced", "invoiced", money=True), Column("received", "received", money=True),
    Column("difference", "difference", money=True)), total=_dict("rent", "totals"))
ARREARS = Table("arrears", "t_arrears", _list("arrears", "leases"), (
    Column("lease_id", "lease", link="entity"), Column("lessee", "lessee"),
    *(Column(key, key, money=True) for key in ("not_due", "days_0_30", "days_31_90", "days_91_180",
                                                "days_over_180")),
    Column("arrears", "arrears", money=True), Column("oldest_due", "oldest_due")), total=_dict("arrears", "totals"))
FLAGS = Table("flags", "t_major_matters", _list("major_matters", "flags"), (
    Column("date", "date"), Column("rule", "rule"), Column("entity_id", "entity", link="entity"),
    Column("detail", "detail")))
MONTH_FLAGS = Table("month_flags", "t_flags", _list("exceptions", "flags"), FLAGS.columns)
FINDINGS = Table("findings", "t_findings", lambda view: list(view.get("findings") or view.get("open_findings") or []), (
    Column("finding_id", "entity", link="entity"), Column("period", "period"), Column("title", "title"),
    Column("severity", "severity"), Column("status", "status", optional=True), Column("recorded_on", "recorded_on")))

TABLES: dict[str, tuple[Table, ...]] = {
    "monthly": (TRIAL_BALANCE, INCOME_EXPENSE, BALANCE_SHEET, VOUCHERS, MONTH_FLAGS, RECONCILIATIONS),
    "quarterly": (LEASES, EXPIRING, RENT, ARREARS, FLAGS),
    "yearly": (BALANCE_SHEET, INCOME_STATEMENT, RECONCILIATIONS, FINDINGS),
}
"""The tables of each view, in page and sheet order (the pages list findings with their status apart)."""


@dataclass(frozen=True)
class Filled:
    """A table with its rows and total read from one view."""

    table: Table
    columns: tuple[Column, ...]
    rows: list[Row]
    total: Row | None


def fill(view: Row) -> list[Filled]:
    """The tables of ``view`` (its body) with their rows; sections the view lacks are left out."""
    out = []
    for table in TABLES.get(str(view.get("view")), ()):
        if table.section and table.section not in view:
            continue
        rows = table.rows(view)
        total = table.total(view)
        out.append(Filled(table, table.shown_columns(rows), rows, total))
    return out


def cell(row: Row, column: Column) -> Any:
    """The raw value of a cell (an amount stays as the view gives it: yuan string or fen)."""
    return field(row, column.key)
