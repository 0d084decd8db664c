"""A period's audit view as an Excel workbook (openpyxl): a cover sheet, then one sheet per table.

Every sheet repeats in its first rows (and in its printed page header) the CO, the period, the
known-at position, the rules version and the SHA-256 of the view; amounts are numbers in yuan
with the format ``#,##0.00``; headers are the catalogue's Chinese labels.
"""
from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ledger.entrypoints.http.ui.labels import label
from ledger.entrypoints.http.ui.money import to_yuan
from ledger.entrypoints.http.ui.tables import cell, fill

YUAN_FORMAT = "#,##0.00"
HEADER_ROWS = 3
"""Rows above a table's column headers: the identity line, the hash line, a blank."""


def rules_version(body: dict[str, Any]) -> str:
    return str(body.get("rules_version", body.get("projection_version", "")))


def identity(body: dict[str, Any], sha256: str) -> list[tuple[str, str]]:
    known = body.get("known_at") or {}
    return [("集体经济组织", f"{body.get('org_name') or ''}（{body.get('org_id')}）"),
            ("期间", str(body.get("period"))), ("截至日志位置", str(known.get("position", ""))),
            ("规则版本", rules_version(body)), ("视图 SHA-256", sha256)]


def sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31]
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]}({n})"
        n += 1
    taken.add(name)
    return name


def view_workbook(body: dict[str, Any], sha256: str, lang: str = "zh") -> bytes:
    """The workbook of one view answer (its body and hash)."""
    book = Workbook()
    cover = book.active
    cover.title = "封面"
    cover.append([label(lang, "app_title")])
    cover["A1"].font = Font(bold=True, size=14)
    for key, value in identity(body, sha256):
        cover.append([key, value])
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 16, 70
    taken = {"封面"}
    header = " · ".join(f"{k} {v}" for k, v in identity(body, sha256)[:4])
    for filled in fill(body):
        sheet = book.create_sheet(sheet_name(label(lang, filled.table.title), taken))
        sheet.append([header])
        sheet.append([f"视图 SHA-256 {sha256}"])
        sheet.append([])
        sheet.append([label(lang, c.label) for c in filled.columns])
        for cell_ in sheet[HEADER_ROWS + 1]:
            cell_.font = Font(bold=True)
        rows = filled.rows + ([filled.total] if filled.total else [])
        for row in rows:
            sheet.append([_value(cell(row, c), c.money) for c in filled.columns])
        if filled.total:
            sheet.cell(sheet.max_row, 1).value = sheet.cell(sheet.max_row, 1).value or label(lang, "total")
        for column in filled.columns:
            index = filled.columns.index(column) + 1
            letter = sheet.cell(HEADER_ROWS + 1, index).column_letter
            sheet.column_dimensions[letter].width = 16 if column.money else 14
            if column.money:
                for r in range(HEADER_ROWS + 2, sheet.max_row + 1):
                    sheet.cell(r, index).number_format = YUAN_FORMAT
        sheet.oddHeader.center.text = header[:250]
        sheet.oddFooter.center.text = f"SHA-256 {sha256[:16]}… · &P / &N"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.freeze_panes = sheet.cell(HEADER_ROWS + 2, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(value: Any, money: bool) -> Any:
    if money:
        return to_yuan(value)
    if isinstance(value, (list, dict)):
        return str(value)
    return value
