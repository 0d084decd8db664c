"""The demo county's views and log roots are the bytes the release that made ``demo-hashes.json`` gave.

``demo-hashes.json`` was written by ``python -m tests.regression.demo_hashes URL OUT`` before the
layout change of issue 11 (on SQLite and PostgreSQL alike, byte for byte). A refactor that changes
one view byte, one leaf or the order of positions fails here, on both databases.
"""
from __future__ import annotations

import json
from pathlib import Path

from tests.regression.demo_hashes import collect

EXPECTED = json.loads((Path(__file__).parent / "demo-hashes.json").read_text(encoding="utf-8"))


def test_demo_county_views_and_roots_are_unchanged(database_url: str, tmp_path: Path) -> None:
    found = collect(database_url, tmp_path / "log.key")
    assert sorted(found) == sorted(EXPECTED)
    roots = {org: (v["tree_size"], v["root_hash"]) for org, v in found.items()}
    assert roots == {org: (v["tree_size"], v["root_hash"]) for org, v in EXPECTED.items()}
    changed = [(org, period) for org, v in found.items() for period, digest in v["views"].items()
               if EXPECTED[org]["views"].get(period) != digest]
    assert changed == [], f"{len(changed)} of 2,856 views changed, first: {changed[:5]}"
