"""The import graph of analytics/: no circles, no Streamlit.

Read with ``ast`` (no module is imported), counting imports anywhere in a file:
an import inside a function still makes a circle, it only hides it until run.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analytics"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, skip_type_checking: bool) -> set[str]:
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if skip_type_checking and _is_type_checking(node):
            stack.extend(getattr(node, "orelse", []))
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph(skip_type_checking: bool = False) -> dict[str, set[str]]:
    """Module -> analytics modules it imports (``from analytics import x`` too)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = _imports(tree, skip_type_checking)
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "analytics.coverage" in graph["analytics.cli.cmd_coverage"]  # in run()
    assert "analytics.gaps" in graph["analytics.coverage"]


def test_analytics_has_no_import_circle():
    # every edge counts, imports for type checking too: none hides a circle
    assert circles(import_graph()) == []


def test_coverage_kernels_do_not_import_the_report():
    graph = import_graph()
    for kernel in ("gaps", "hexgrid", "wards", "costs", "coverage_state"):
        assert "analytics.coverage" not in graph[f"analytics.{kernel}"], kernel


def test_analytics_never_imports_streamlit():
    for path in PACKAGE.rglob("*.py"):
        found = _imports(ast.parse(path.read_text(encoding="utf-8")), False)
        assert not {m for m in found if m.split(".")[0] == "streamlit"}, path


def _pointless_inner_imports(tree: ast.Module) -> list[str]:
    """Imports inside functions that delay nothing: the standard library, or a
    module the file already imports at the top (it is loaded anyway)."""
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module)
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                if module in top or module.split(".")[0] in sys.stdlib_module_names:
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_pointless_inner_import_is_found():
    tree = ast.parse(
        "import json\nfrom analytics import schema\n"
        "def f():\n    import re\n    from analytics import schema\n"
        "    import pandas\n"
    )
    assert _pointless_inner_imports(tree) == [
        "line 4: import re",
        "line 5: from analytics import schema",
    ]


def test_imports_inside_functions_only_delay_something():
    # an import inside a function is for a slow or optional module used rarely
    found = {
        str(path.relative_to(PACKAGE.parent)): bad
        for path in PACKAGE.rglob("*.py")
        if (bad := _pointless_inner_imports(ast.parse(path.read_text("utf-8"))))
    }
    assert found == {}


def test_no_private_module_of_a_library_is_imported():
    # h3._cy was imported for speed; h3.api.basic_int is public and as fast
    private = {}
    for path in PACKAGE.rglob("*.py"):
        found = _imports(ast.parse(path.read_text(encoding="utf-8")), False)
        bad = {
            m
            for m in found
            if m.split(".")[0] != "analytics"
            and any(part.startswith("_") for part in m.split(".")[1:])
            and not m.split(".")[-1].startswith("__")
        }
        if bad:
            private[path.name] = sorted(bad)
    assert private == {}


def test_cores_do_not_import_what_builds_on_them():
    # scenarios and the forecast's sentences live beside the forecast, and the
    # canvass benchmark in bench.py: the cores stay free of them
    graph = import_graph()
    assert "analytics.scenarios" not in graph["analytics.forecast"]
    assert "analytics.forecast" in graph["analytics.scenarios"]
    assert "analytics.bench" not in graph["analytics.canvass"]
    assert "analytics.canvass" in graph["analytics.bench"]
