"""The workbench's pure parts: the one amount formatter, the label catalogue, the session codec, SVG charts."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.entrypoints.http.ui import labels
from ledger.entrypoints.http.ui.charts import bars
from ledger.entrypoints.http.ui.money import field, to_yuan, yuan
from ledger.entrypoints.http.ui.session import SessionCodec
from ledger.entrypoints.http.ui.tables import TABLES

TEMPLATES = Path(labels.__file__).parent / "templates"


@pytest.mark.parametrize("value, shown", [
    ("1500.00", "1,500.00"), (150000, "1,500.00"), ("-29220.8", "-29,220.80"), (-1, "-0.01"), (0, "0.00"),
    (None, ""), ("n/a", ""), (True, "")])
def test_amounts_read_as_yuan_strings_or_fen_and_show_with_two_decimals(value: object, shown: str) -> None:
    assert yuan(value) == shown


def test_a_field_falls_back_to_its_fen_form_and_both_read_the_same() -> None:
    assert field({"amount": "12.34"}, "amount") == "12.34" and field({"amount_fen": 1234}, "amount") == 1234
    assert to_yuan("12.34") == to_yuan(1234) == Decimal("12.34")


def test_every_label_a_template_or_table_names_is_in_the_catalogue_in_both_languages() -> None:
    used = {key for path in TEMPLATES.glob("*.html") for key in re.findall(r"t\('([a-z_0-9]+)'\)", path.read_text())}
    used |= {c.label for tables in TABLES.values() for table in tables for c in table.columns}
    used |= {table.title for tables in TABLES.values() for table in tables}
    missing = sorted(key for key in used if not labels.known(key))
    assert not missing
    zh, en = labels.catalogue("zh"), labels.catalogue("en")
    assert zh.keys() == en.keys() and zh["t_balance_sheet"] == "资产负债表" and en["sign_in"] == "Sign in"


def test_a_session_cookie_opens_only_with_its_key_and_csrf_tokens_bind_to_the_session() -> None:
    codec, other = SessionCodec("key-one"), SessionCodec("key-two")
    cookie, session = codec.seal("lgr_secret")
    assert "lgr_secret" not in cookie and codec.open(cookie) == session
    assert other.open(cookie) is None and codec.open(cookie[:-2] + "AA") is None and codec.open("") is None
    assert codec.csrf_ok(session.session_id, codec.csrf(session.session_id))
    assert not codec.csrf_ok(session.session_id, other.csrf(session.session_id))
    assert not codec.csrf_ok(session.session_id, None) and not codec.csrf_ok(None, "x")


def test_a_chart_is_inline_svg_with_escaped_labels_and_its_amounts() -> None:
    svg = str(bars(["TC-001", "<b>"], [("收入", [Decimal("2600"), None]), ("欠租", [Decimal("-480"), Decimal(0)])],
                   "各组织"))
    assert svg.startswith("<svg") and "<b>" not in svg and "&lt;b&gt;" in svg
    assert "2,600.00" in svg and "-480.00" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_a_months_income_and_expense_come_from_its_view_totals() -> None:
    from ledger.domain.periods import Period
    from ledger.entrypoints.http.ui.workbench import month_totals

    body = {"income_expense": {"totals": {"income": "44077.00", "expense": "10190.00", "net": "33887.00"}}}
    assert month_totals(Period(2024, "month", 3), body) == {
        "period": "2024-03", "income": Decimal("44077.00"), "expense": Decimal("10190.00"), "net": Decimal("33887.00")}
    assert month_totals(Period(2024, "month", 4), {"income_expense": {}}) == {
        "period": "2024-04", "income": Decimal(0), "expense": Decimal(0), "net": Decimal(0)}
