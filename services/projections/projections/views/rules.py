"""The books' rules versions: how the views read the same facts, version by version.

A view's bytes depend on the facts and on the rules it is computed under. Rules change (this
module lists each version); a closed period keeps the version it was closed under with its hash,
so "as closed" is always served under that version and reproduces the stored bytes, while "as known
now" is served under the current one. The policy is in docs/books.md.

- **v1** (to issue 11): amounts as integer fen (``*_fen``); a reversal books the original lines with
  the sides swapped; the statements list accounts. Its bytes are pinned by
  ``tests/regression/test_demo_hashes.py``.
- **v2** (issue 12, the 2023 system as practised): amounts as yuan decimal strings ("1500.00"); red
  ink (红字冲销: same sides, negative amounts, so movement columns read as if the voucher had never
  been posted); the statements in the 2023 layouts (行次, Chinese names, 年初数/期末数, 本年数/上年数);
  a monthly balance sheet; closing, depreciation and opening entries booked; reconciliations
  (账账核对, 账实核对) listed as exceptions; a year's open findings are those about the year (or a
  quarter or month of it), whenever recorded (issue 13: a 2024-Q2 finding recorded in 2025 is 2024's).
"""
from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.errors import RuleViolation


@dataclass(frozen=True)
class Rules:
    """One version of the books' rules, and what it switches on."""

    version: int
    red_ink: bool
    """Reversals in red ink (same sides, negative) rather than with the sides swapped."""
    books_2023: bool
    """Yuan strings, the 2023 layouts, the monthly balance sheet, closings and reconciliations."""
    summary: str


RULES: dict[int, Rules] = {
    1: Rules(1, red_ink=False, books_2023=False, summary="fen, reversals with sides swapped, account lists"),
    2: Rules(2, red_ink=True, books_2023=True, summary="yuan strings, red ink, the 2023 layouts, closings, "
             "reconciliations"),
}
CURRENT = 2
"""The version views are computed under unless asked otherwise."""

LEGACY = 1
"""The version of closes that stored none (before rules were versioned)."""


def rules_of(version: int | str | None) -> Rules:
    """The rules of ``version`` (the current ones when None); RuleViolation ``rules-version`` if there is none."""
    if version is None:
        return RULES[CURRENT]
    text = str(version)
    if text.isascii() and text.isdigit() and int(text) in RULES:
        return RULES[int(text)]
    raise RuleViolation("rules-version", f"no books rules version {version!r}; versions are "
                        f"{', '.join(str(v) for v in sorted(RULES))}", rules=str(version), known=sorted(RULES))
