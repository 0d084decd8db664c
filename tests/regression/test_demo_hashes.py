"""The demo county's views and log roots are the bytes the release that made ``demo-hashes.json`` gave.

``demo-hashes.json`` was written by ``python -m tests.regression.demo_hashes URL OUT`` before the
layout change of issue 11 (on SQLite and PostgreSQL alike, byte for byte). A refactor that changes
one view byte, one leaf or the order of positions fails here, on both databases. The views are asked under the books
rules v1 (issue 12 keeps those bytes reachable); the same county checks issue 12's red-ink figures.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.regression.demo_hashes import collect

EXPECTED = json.loads((Path(__file__).parent / "demo-hashes.json").read_text(encoding="utf-8"))


def red_ink_in_tc001_july_2023(client: Any, read: dict[str, str]) -> None:
    """Issue 12's figures: under rules v2 the reversal in TC-001's July 2023 nets bank 102's movement columns."""
    def bank(rules: int) -> dict[str, Any]:
        view = client.get("/v1/orgs/TC-001/audit/2023-07", params={"rules": rules}, headers=read).json()["as_known"]
        return next(row for row in view["view"]["trial_balance"]["accounts"] if row["account"] == "102")
    old, new = bank(1), bank(2)
    assert (old["debit_fen"], old["credit_fen"]) == (26_400, 23_700)
    assert (new["debit"], new["credit"]) == ("240.00", "213.00")


def test_demo_county_views_and_roots_are_unchanged(database_url: str, tmp_path: Path) -> None:
    found = collect(database_url, tmp_path / "log.key", also=red_ink_in_tc001_july_2023)
    assert sorted(found) == sorted(EXPECTED)
    roots = {org: (v["tree_size"], v["root_hash"]) for org, v in found.items()}
    assert roots == {org: (v["tree_size"], v["root_hash"]) for org, v in EXPECTED.items()}
    changed = [(org, period) for org, v in found.items() for period, digest in v["views"].items()
               if EXPECTED[org]["views"].get(period) != digest]
    assert changed == [], f"{len(changed)} of 2,856 views changed, first: {changed[:5]}"
