"""The shape of the code: one-way data flow, no import cycles, a command line that only maps.

The layers are the ones docs/architecture.md draws; a module may import its own layer and the
ones below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "ruhrtimeline"

LAYERS: list[set[str]] = [
    {"errors", "dates", "i18n", "locations", "files", "timezones"},  # foundations
    {"records", "query", "positions"},  # typed records, the filter, where items lie
    {"yaml_reader", "models", "validation"},  # reading and checking a store file
    {"index"},  # SQLite: the only module with SQL
    {"store"},  # find, load, select
    {"listing", "terminal", "agenda", "ical", "report", "visual", "templates"},  # renderers
    {"publish", "site", "edits", "importing"},  # files out of the store, changes into it
    {"server"},  # the feed server
    {"cli", "__main__"},  # the command line
]
RENDERERS = LAYERS[5]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or "__init__"


def imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    package = own.split(".")[:-1] if path.name != "__init__.py" else own.split(".")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [".".join(target)] if node.module else []
                names += [".".join([*target, alias.name]) for alias in node.names]
            elif node.module and node.module.startswith("ruhrtimeline"):
                target = node.module.split(".")[1:]
                names = [".".join(target)] + [".".join([*target, a.name]) for a in node.names]
            else:
                continue
            found.update(n for n in names if n and _exists(n))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ruhrtimeline."):
                    found.add(alias.name.split(".", 1)[1])
    found.discard(own)
    return found


def _exists(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def top(name: str) -> str:
    return name.split(".")[0]


def layer(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if top(name) in names)


GRAPH = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def test_every_module_has_a_layer() -> None:
    for name in GRAPH:
        if name != "__init__":
            assert any(top(name) in names for names in LAYERS), f"{name} is in no layer"


@pytest.mark.parametrize("name", sorted(n for n in GRAPH if n != "__init__"))
def test_no_module_imports_one_above_it(name: str) -> None:
    for target in GRAPH[name]:
        assert layer(target) <= layer(name), f"{name} imports {target}, a layer above it"


def test_renderers_take_records_not_the_store() -> None:
    for name, targets in GRAPH.items():
        if top(name) in RENDERERS:
            assert all(layer(t) <= 1 or top(t) in RENDERERS for t in targets), (name, targets)


def test_no_import_cycle() -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in GRAPH.get(name, ()):
            if target not in GRAPH:
                continue
            assert state.get(target) != "open", " → ".join([*path, target])
            if target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in GRAPH:
        if name not in state:
            visit(name, [name])


def test_only_the_index_speaks_sql() -> None:
    for path in PACKAGE.rglob("*.py"):
        if module_name(path) == "index":
            continue
        text = path.read_text(encoding="utf-8")
        assert "import sqlite3" not in text, path
        assert "SELECT " not in text and "CREATE TABLE" not in text, path


def test_the_command_line_only_maps() -> None:
    """No SQL, no date arithmetic and no file writing in ``cli``: it calls the library."""
    for path in (PACKAGE / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in {
                    "write_text",
                    "write_bytes",
                    "mkdir",
                    "unlink",
                    "rename",
                    "toordinal",
                    "fromordinal",
                }, f"{path.name}:{node.lineno}"
                owner = node.func.value
                writes = {"replace", "remove", "rename", "makedirs", "rmdir", "write"}
                assert not (
                    isinstance(owner, ast.Name) and owner.id == "os" and node.func.attr in writes
                ), f"{path.name}:{node.lineno}: os.{node.func.attr}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Name) and path.name != "options.py":  # it reads the clock
                assert node.id not in {"timedelta", "date"}, f"{path.name}:{node.lineno}"
