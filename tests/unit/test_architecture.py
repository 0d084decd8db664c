"""The flow's layering, checked on the source: the domain and the views import no adapters."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "psycopg2", "uvicorn", "httpx")
PURE = [
    ROOT / "services/ledger/ledger/domain",
    ROOT / "services/ledger/ledger/contracts",
    ROOT / "services/projections/projections/views",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_layers_import_no_web_or_database_library(folder: Path) -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in folder.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offenders == set()


def test_views_do_not_read_the_clock_or_randomness() -> None:
    for path in (ROOT / "services/projections/projections/views").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now", "date.today", "time.time", "random."):
            assert call not in text, f"{path.name} calls {call}"


def test_modules_stay_small() -> None:
    big = [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / "services").rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300]
    assert big == []
