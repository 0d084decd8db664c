"""The layers' import contracts, checked on the source (docs/architecture.md explains them).

HTTP/CLI (entrypoints) -> application -> domain; adapters implement the application's ports;
bootstrap wires them; log/ and verify/ are pure; the read model (projections) never reaches
back into entrypoints. A contract is broken by one import line, so each is checked here, and a
deliberately bad tree shows that each check can fail.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "services/ledger", ROOT / "services/projections"]

FRAMEWORKS = {"fastapi", "starlette", "sqlalchemy", "psycopg2", "uvicorn", "httpx", "typer", "rich", "jinja2",
              "openpyxl", "alembic"}
DATABASE = {"sqlalchemy", "psycopg2", "alembic"}


@dataclass(frozen=True)
class Contract:
    """Modules under ``layer`` may not import any module under ``forbidden`` (dotted prefixes)."""

    name: str
    layer: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed_only: tuple[str, ...] = ()
    """If set: of the product's own modules, only these prefixes may be imported."""


CONTRACTS = [
    Contract("domain and contracts import no framework and no other layer",
             ("ledger.domain", "ledger.contracts"),
             tuple(FRAMEWORKS - {"pydantic"}) + ("ledger.application", "ledger.adapters", "ledger.entrypoints",
                                                 "ledger.bootstrap", "ledger.seed", "ledger.verify", "projections")),
    Contract("log is pure: no framework, no event store, no domain", ("ledger.log",),
             tuple(FRAMEWORKS) + ("eventsourcing", "pydantic"), allowed_only=("ledger.log",)),
    Contract("verify imports only log (no eventsourcing, no SQLAlchemy)", ("ledger.verify",),
             tuple(FRAMEWORKS) + ("eventsourcing", "pydantic"), allowed_only=("ledger.log", "ledger.verify")),
    Contract("application imports no adapter, entrypoint or framework", ("ledger.application",),
             tuple(FRAMEWORKS) + ("ledger.adapters", "ledger.entrypoints", "ledger.bootstrap", "projections")),
    Contract("adapters import no entrypoint", ("ledger.adapters",), ("ledger.entrypoints", "ledger.bootstrap",
                                                                     "fastapi", "starlette", "typer")),
    Contract("the read model imports no entrypoint", ("projections",),
             ("ledger.entrypoints", "ledger.bootstrap", "ledger.seed", "fastapi", "starlette", "typer")),
    Contract("the pure views import no database and no framework", ("projections.views",),
             tuple(FRAMEWORKS) + ("ledger.adapters", "ledger.application", "projections.read_model",
                                  "projections.store")),
    Contract("seed writes through the application only", ("ledger.seed",),
             tuple(FRAMEWORKS) + ("ledger.adapters", "ledger.entrypoints")),
]
SQL_HOMES = ("ledger.adapters", "projections.store")
"""Only these import sqlalchemy or psycopg2."""


def module_name(path: Path, source_root: Path) -> str:
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def imports_of(path: Path, module: str) -> list[tuple[str, list[str]]]:
    """(module, names) of every run-time import in ``path``, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, [alias.name for alias in node.names]))
    return found


def product_modules(roots: list[Path]) -> dict[str, set[str]]:
    """module -> the modules it imports, over every product source file under ``roots``.

    ``from package import module`` counts as importing the module (not the package's ``__init__``).
    """
    raw: dict[str, list[tuple[str, list[str]]]] = {}
    for root in roots:
        for path in root.rglob("*.py"):
            name = module_name(path, root)
            raw[name] = imports_of(path, name)
    graph: dict[str, set[str]] = {}
    for name, imports in raw.items():
        targets: set[str] = set()
        for target, names in imports:
            submodules = {f"{target}.{n}" for n in names if f"{target}.{n}" in raw}
            targets |= submodules
            if len(submodules) < len(names) or not names:
                targets.add(target)
                targets.update(f"{target}.{n}" for n in names if f"{target}.{n}" not in raw)
        graph[name] = targets
    return graph


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(graph: dict[str, set[str]], contract: Contract) -> list[str]:
    own = {m.split(".")[0] for m in graph}
    found = []
    for module, imported in sorted(graph.items()):
        if not under(module, contract.layer):
            continue
        for target in sorted(imported):
            if under(target, contract.forbidden):
                found.append(f"{module} imports {target}")
            elif contract.allowed_only and target.split(".")[0] in own and target in graph \
                    and not under(target, contract.allowed_only):
                found.append(f"{module} imports {target} (only {', '.join(contract.allowed_only)} allowed)")
    return found


def sql_outside_adapters(graph: dict[str, set[str]]) -> list[str]:
    return [f"{module} imports {target}" for module, imported in sorted(graph.items())
            if not under(module, SQL_HOMES) for target in sorted(imported) if under(target, tuple(DATABASE))]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles among the product's own modules (Tarjan's strongly connected components)."""
    edges = {m: {t for t in imported if t in graph and t != m} for m, imported in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


GRAPH = product_modules(SOURCES)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_import_contract_holds(contract: Contract) -> None:
    assert violations(GRAPH, contract) == []


def test_only_adapters_and_the_read_models_store_import_sqlalchemy() -> None:
    assert sql_outside_adapters(GRAPH) == []


def test_no_import_cycle_in_product_code() -> None:
    assert cycles(GRAPH) == []


BUILDERS = {"open_event_store", "Appender", "Reader", "AuditViews", "Projector"}


def constructions_outside_bootstrap(roots: list[Path]) -> list[str]:
    """Calls that build the store, the appender, the reader, the views or the projector outside ledger.bootstrap."""
    offenders = []
    for root in roots:
        for path in root.rglob("*.py"):
            name = module_name(path, root)
            if name == "ledger.bootstrap":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                    if called in BUILDERS:
                        offenders.append(f"{name}:{node.lineno} calls {called}")
    return offenders


def test_services_are_built_in_bootstrap_only() -> None:
    """The store, the appender and the views are constructed in ledger.bootstrap (tests and bench aside)."""
    assert constructions_outside_bootstrap(SOURCES) == []


def test_views_do_not_read_the_clock_or_randomness() -> None:
    for path in (ROOT / "services/projections/projections/views").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now", "date.today", "time.time", "random."):
            assert call not in text, f"{path.name} calls {call}"


def _write(root: Path, module: str, source: str) -> None:
    path = root / Path(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        if str(parent) != ".":
            (root / parent / "__init__.py").touch()
    path.write_text(source, encoding="utf-8")


def test_the_checks_catch_bad_imports(tmp_path: Path) -> None:
    """A tree with a domain importing sqlalchemy, a verifier importing an adapter, an application importing
    an adapter and a cycle: every check reports it."""
    _write(tmp_path, "ledger.domain.money", "import sqlalchemy\n")
    _write(tmp_path, "ledger.adapters.sql.tables", "from sqlalchemy import Table\n")
    _write(tmp_path, "ledger.verify.proofs", "from ledger.adapters.sql import tables\nfrom ..log import merkle\n")
    _write(tmp_path, "ledger.log.merkle", "import hashlib\n")
    _write(tmp_path, "ledger.application.append", "from ledger.adapters.sql.tables import x\n"
                                                   "from .decide import y\n")
    _write(tmp_path, "ledger.application.decide", "from .append import z\n")
    _write(tmp_path, "ledger.entrypoints.http.app", "from ledger.adapters.sql.reads import Reader\nreader = Reader(x)\n")
    _write(tmp_path, "ledger.bootstrap", "from ledger.adapters.sql.reads import Reader\nreader = Reader(x)\n")
    graph = product_modules([tmp_path])
    by_name = {c.name: violations(graph, c) for c in CONTRACTS}
    assert by_name["domain and contracts import no framework and no other layer"] == [
        "ledger.domain.money imports sqlalchemy"]
    assert "ledger.verify.proofs imports ledger.adapters.sql.tables (only ledger.log, ledger.verify allowed)" in \
        by_name["verify imports only log (no eventsourcing, no SQLAlchemy)"]
    assert "ledger.application.append imports ledger.adapters.sql.tables" in \
        by_name["application imports no adapter, entrypoint or framework"]
    assert sql_outside_adapters(graph) == ["ledger.domain.money imports sqlalchemy"]
    assert cycles(graph) == [["ledger.application.append", "ledger.application.decide"]]
    assert constructions_outside_bootstrap([tmp_path]) == ["ledger.entrypoints.http.app:2 calls Reader"]
