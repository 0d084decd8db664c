"""Response models of the books routes: the closing posted, the per-account ledger."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ledger.entrypoints.http.models.events import AppendOut


class ClosingOut(BaseModel):
    """The closing voucher posted (ClosingPosted) and its receipt."""

    voucher_id: str = Field(description="JZ-<period>.")
    period: str
    description: str
    lines: list[dict[str, Any]] = Field(description="account, side, amount (yuan string).")
    rules_version: int
    receipt: AppendOut


class AccountBookOut(BaseModel):
    """The per-account ledger (明细账), hashed as canonical JSON like the views."""

    view: dict[str, Any] = Field(description="Hash it as canonical JSON (sorted keys, no spaces, UTF-8).")
    sha256: str
    source: Literal["read-model", "replay"]
    rules_version: int
