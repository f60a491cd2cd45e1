"""The package's layers only look down, and it has no import cycle.

Reads every module's imports with :mod:`ast` (module level and inside functions; not those
under ``if TYPE_CHECKING:``, which never run) and checks them against the table below. A
module may import its own layer and any layer below it, never one above. Reading the code
as text means a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wijkgeo"

#: Layers from the bottom up; a module belongs to the longest matching prefix. The grid codes
#: (cell codes and squares) sit low, beside the sources that need them; the grid analysis
#: (interpolation, overlays) sits above the indicators. The demo generator sits just above
#: the real sources it imitates (it reads its own output back through their loaders); the
#: demo pipeline writes maps, so it sits at the top.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "basis",
        [
            "wijkgeo._errors",
            "wijkgeo._version",
            "wijkgeo.settings",
            "wijkgeo.conventions",
            "wijkgeo.text",
            "wijkgeo._paths",
            "wijkgeo._parse",
            "wijkgeo._write",
            "wijkgeo._clean",
            "wijkgeo.kinds",
        ],
    ),
    ("codes", ["wijkgeo.codes", "wijkgeo._http", "wijkgeo._report"]),
    ("atlas", ["wijkgeo.atlas"]),
    (
        "bronnen",
        [
            "wijkgeo.sources",
            "wijkgeo.store",
            "wijkgeo.changes",
            "wijkgeo.joins",
            "wijkgeo.series",
            "wijkgeo.grid.codes",
            "wijkgeo.grid._kernel",
            "wijkgeo.grid",
        ],
    ),
    ("demo", ["wijkgeo.demo"]),
    ("indicatoren", ["wijkgeo.indicators"]),
    (
        "analyse",
        [
            "wijkgeo.grid.",
            "wijkgeo.koppelkansen",
            "wijkgeo.facts.present",
            "wijkgeo.series.carry",
            "wijkgeo.series.timeseries",
            "wijkgeo.signalen",
        ],
    ),
    ("feiten", ["wijkgeo.facts"]),
    ("uitvoer", ["wijkgeo.maps", "wijkgeo.export", "wijkgeo.profile"]),
    ("verversen", ["wijkgeo.refresh", "wijkgeo.status", "wijkgeo.lagen"]),
    ("commando", ["wijkgeo.demo.pipeline", "wijkgeo.cli", "wijkgeo.__main__"]),
]
#: The only upward imports allowed, by name: the Atlas' thin facades (as geopandas'
#: ``GeoDataFrame.explore``), each importing the one function it calls, lazily.
FACADES: dict[tuple[str, str], str] = {
    ("wijkgeo.atlas", "Atlas.indicators"): "wijkgeo.indicators",
    ("wijkgeo.atlas", "Atlas.grid"): "wijkgeo.grid.layer",
    ("wijkgeo.atlas", "Atlas.koppelkansen"): "wijkgeo.koppelkansen.evaluate",
}
#: The package's own ``__init__`` is its public surface: it may name anything (lazily).
TOP = {"wijkgeo"}
#: The public surface counts as the commando layer: only the CLI may import it.
TOP_LAYER = "commando"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer index)
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            exact = module == prefix.rstrip(".")
            # "wijkgeo.grid." matches the grid's submodules, not the package itself
            if prefix.endswith("."):
                hit = module.startswith(prefix)
            else:
                hit = exact or module.startswith(prefix + ".")
            if hit and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, *, where: bool = False) -> list[tuple]:
    """(line, module) for every import in the file that would run; with ``where=True``
    (line, module, enclosing "Class.function")."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str, str]] = []
    scope: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.append(node.name)
            for child in ast.iter_child_nodes(node):
                visit(child)
            scope.pop()
            return
        here = ".".join(scope)
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, here) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                sub_path = PACKAGE.parent.joinpath(*sub.split("."))
                is_module = (
                    sub_path.with_suffix(".py").exists() or (sub_path / "__init__.py").exists()
                )
                found.append((node.lineno, sub if is_module else target, here))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    out = [f for f in found if f[1].split(".")[0] == "wijkgeo"]
    return out if where else [(line, name) for line, name, _ in out]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    missing = [m for m in map(_module_name, MODULES) if m not in TOP and _layer(m) is None]
    assert not missing, f"give these modules a layer in tests/test_layers.py: {missing}"


def _violations() -> list[str]:
    out = []
    for path in MODULES:
        module = _module_name(path)
        if module in TOP:
            continue
        own = _layer(module)
        for line, target, scope in _imports(path, where=True):
            if FACADES.get((module, scope)) == target:
                continue
            if target in TOP:
                target_layer = [n for n, _p in LAYERS].index(TOP_LAYER)
            else:
                target_layer = _layer(target)
            if target_layer is not None and own is not None and target_layer > own:
                out.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {module} ({LAYERS[own][0]}) "
                    f"imports {target} ({LAYERS[target_layer][0]})"
                )
    return out


def test_layers_only_import_downwards():
    bad = _violations()
    table = "\n".join(f"  {i}. {name}: {', '.join(p)}" for i, (name, p) in enumerate(LAYERS))
    assert not bad, "imports that look up:\n" + "\n".join(bad) + "\nlayers:\n" + table


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        module = _module_name(path)
        graph.setdefault(module, set()).update(
            t for _line, t in _imports(path) if t != module and not module.startswith(t + ".")
        )
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_the_checker_sees_lazy_and_relative_imports(tmp_path):
    """The test itself can fail: a function-level relative import upward is reported."""
    assert _layer("wijkgeo.atlas") < _layer("wijkgeo.indicators.compute")
    assert _layer("wijkgeo.grid.codes") < _layer("wijkgeo.indicators") < _layer("wijkgeo.grid.x")
    source = "def f():\n    from .indicators import add_indicators\n"
    fake = PACKAGE / "_layers_probe.py"
    try:
        fake.write_text(source)
        assert _imports(fake) == [(2, "wijkgeo.indicators")]
    finally:
        fake.unlink()
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .maps import x\n"
    try:
        fake.write_text(guarded)
        assert _imports(fake) == []
    finally:
        fake.unlink()


def _dynamic_imports(path: Path) -> list[tuple[int, str]]:
    """(line, enclosing function) of every ``import_module``/``__import__`` call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for func in [tree, *ast.walk(tree)]:
        if not isinstance(func, (ast.Module, ast.FunctionDef)):
            continue
        body = func.body if isinstance(func, ast.FunctionDef) else [
            n for n in func.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))
        ]
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call):
                    f = node.func
                    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                    if name in ("import_module", "__import__"):
                        out.append((node.lineno, getattr(func, "name", "<module>")))
    return sorted(set(out))


def _lazy_targets(path: Path) -> list[str]:
    """The module names in a package's ``_LAZY`` table."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(getattr(t, "id", "") == "_LAZY" for t in targets) and isinstance(
                node.value, ast.Dict
            ):
                return [v.value for v in node.value.values if isinstance(v, ast.Constant)]
    return []


def test_no_import_by_string_except_a_packages_lazy_loader():
    """``import_module``/``__import__`` hide imports from this test: only a package's
    ``__getattr__`` may use them, and only for its own submodules."""
    bad = []
    for path in MODULES:
        calls = _dynamic_imports(path)
        if not calls:
            continue
        module = _module_name(path)
        rel = path.relative_to(PACKAGE.parent)
        if path.name != "__init__.py" or any(where != "__getattr__" for _l, where in calls):
            bad += [f"{rel}:{line} in {where}" for line, where in calls]
            continue
        foreign = [t for t in _lazy_targets(path) if not t.startswith(module + ".")]
        if foreign:
            bad.append(f"{rel}: _LAZY names modules outside the package: {foreign}")
    assert not bad, "imports by string:\n" + "\n".join(bad)


def test_facades_are_the_only_upward_imports_allowed():
    """The facade allowance is by name: the same import elsewhere in the Atlas is upward."""
    found = _imports(PACKAGE / "atlas.py", where=True)
    facades = {(m, s) for _l, m, s in found}
    assert {(t, s) for (_m, s), t in FACADES.items()} <= facades
    assert _layer("wijkgeo.atlas") < _layer("wijkgeo.indicators")
