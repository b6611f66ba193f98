"""The folder tree is the architecture: layers import downwards only, and no module imports itself in a circle.

Every import is read from the source (top-level and function-level alike), so an
import hidden inside a function cannot mask an upward edge or a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "eval" / "damascus_ie"
# bottom to top; a module may import its own layer and the layers below it
LAYERS: tuple[str, ...] = ("core", "dataset", "harness", "leaderboard", "labelstudio", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Project modules this file imports, resolved to module names (a `from x import name` counts as x.name if a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("damascus_ie")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("damascus_ie"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {target for target in _imports(path) if target in files and target != name}
            for name, path in files.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer() -> None:
    loose = sorted(name for name in _graph() if _layer(name) is None and name != "damascus_ie")
    assert loose == [], f"modules outside {LAYERS}: {loose}"


def test_imports_point_down() -> None:
    upward = [(source, target) for source, targets in _graph().items() for target in targets
              if source != "damascus_ie" and (_layer(target) or 0) > (_layer(source) or 0)]
    assert upward == [], "imports from a lower layer into a higher one:\n" + "\n".join(f"  {s} -> {t}" for s, t in upward)


def test_core_imports_nothing_above_it() -> None:
    assert all(_layer(t) == 0 for s, ts in _graph().items() if _layer(s) == 0 for t in ts)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path, by depth-first search with colours; None when the graph is acyclic."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if colour.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in colour and (found := visit(target)):
                return found
        stack.pop()
        colour[node] = 2
        return None

    for node in sorted(graph):
        if node not in colour and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    # the package facade re-exports `score` lazily and is nobody's dependency; packages' own __init__ files count
    graph = {name: {t for t in targets if t != "damascus_ie"} for name, targets in _graph().items() if name != "damascus_ie"}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": set(), "c": {"b"}}, None),
])
def test_cycle_finder(graph: dict[str, set[str]], expected: list[str] | None) -> None:
    assert _cycle(graph) == expected
