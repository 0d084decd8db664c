"""Payload contracts of bookkeeping: vouchers (记账凭证), their reversal (红字冲销) and red-ink correction (红字更正)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ledger.contracts.auditing import Adjustment
from ledger.contracts.base import EntityId, Money, Payload, Text


class VoucherLine(Payload):
    """One line of a voucher: an account of the 2023 chart, debit or credit, an amount."""

    account: str = Field(
        pattern=r"^[0-9]{3,10}$", description="Account code of the 2023 chart (会计科目), e.g. 102 银行存款, 501 经营收入."
    )
    side: Literal["debit", "credit"] = Field(description="debit 借方 or credit 贷方.")
    amount: Money = Field(description="Amount in yuan, not zero; negative (red ink, 红字) only on a voucher that "
                          "corrects another (``corrects``).")
    memo: Text | None = Field(default=None, description="The line's note (摘要), e.g. 收张三门面房一季度租金.")


class VoucherPosted(Payload):
    """A voucher is posted (记账凭证): balanced lines of the 2023 chart; corrected by reversal or in red ink."""

    description: Text = Field(description="What the voucher records (摘要), e.g. 收张三门面房一季度租金.")
    lines: list[VoucherLine] = Field(
        min_length=2, max_length=200, description="At least two lines; debits equal credits."
    )
    attachments: int = Field(default=0, ge=0, description="Number of supporting documents (附件张数).")
    corrects: EntityId | None = Field(default=None, description="The voucher this one corrects (红字更正 or 补充登记); "
                                      "only such a voucher may carry negative amounts, on the accounts it cites.")
    adjusts: Adjustment | None = Field(default=None, description="Set when it corrects a closed period (调整).")


class VoucherReversed(Payload):
    """A reversing voucher (红字冲销凭证) cancels a posted voucher, line by line; then a correct one is posted."""

    reverses: EntityId = Field(description="The voucher reversed.")
    reason: Text = Field(description="Why it is reversed (冲销原因).")
    adjusts: Adjustment | None = Field(default=None, description="Set when it corrects a closed period (调整).")


class ClosingLine(Payload):
    """One line of a closing voucher (结转凭证): an income, expense or result account, a side, an amount."""

    account: str = Field(pattern=r"^[0-9]{3,10}$", description="5xx, 321 本年收益 or 322 收益分配.")
    side: Literal["debit", "credit"] = Field(description="debit 借方 or credit 贷方.")
    amount: Money = Field(description="Amount in yuan, more than zero.")


class ClosingPosted(Payload):
    """The closing voucher of a month or year (期末结转), computed from the books by the closing command:
    5xx to 321 本年收益, and at year end 321 to 322 收益分配."""

    period: str = Field(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", description="The month (2024-03) or year (2024).")
    description: Text = Field(description="摘要, e.g. 结转2024年收支.")
    lines: list[ClosingLine] = Field(max_length=200, description="The transfers; none when nothing was left to close.")
    rules_version: int = Field(ge=1, description="The books rules version the balances were computed under.")
