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
            "wijkgeo.joins",
            "wijkgeo.local_joins",
            "wijkgeo.series.carry",
            "wijkgeo.series.timeseries",
        ],
    ),
    ("uitvoer", ["wijkgeo.maps", "wijkgeo.export", "wijkgeo.profile"]),
    ("verversen", ["wijkgeo.refresh", "wijkgeo.status", "wijkgeo.lagen"]),
    ("commando", ["wijkgeo.demo.pipeline", "wijkgeo.cli", "wijkgeo.__main__"]),
]
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


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file that would run."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
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
                found.append((node.lineno, sub if is_module else target))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(line, name) for line, name in found if name.split(".")[0] == "wijkgeo"]


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
        for line, target in _imports(path):
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
