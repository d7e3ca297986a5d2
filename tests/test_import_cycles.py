"""No import cycles between the project's modules: a cycle is where layers (views → forms →
services → client, selectors beside them) have leaked into each other, and where Django's
start-up order starts to matter.

The walk reads the source with the standard library's ``ast`` (no import is run, nothing
outside the repository is needed): every ``import`` and ``from … import`` counts, at the top
of a file or inside a function, relative ones resolved against their package. Tests, bench
scripts and migrations are left out, and so is a package's ``__init__`` importing its own
modules (a re-export, not a cycle worth naming). Cycles are the strongly connected components
of the graph (Tarjan), each printed with its modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "bench", "migrations", "static", "var", "docs", "node_modules"}

Graph = dict[str, set[str]]


def project_modules(root: Path) -> dict[str, Path]:
    """Every module under ``root`` by dotted name (``pkg/__init__.py`` is ``pkg``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        names = [*parts[:-1], path.stem]
        if names[-1] == "__init__":
            names.pop()
        if names:
            found[".".join(names)] = path
    return found


def imported_modules(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules that module ``name`` (at ``path``) imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([p for p in parts if p] + ([base] if base else []))
            # ``from pkg import mod`` imports the module pkg.mod when there is one.
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def import_graph(root: Path) -> Graph:
    known = project_modules(root)
    graph = {name: imported_modules(name, path, known) for name, path in known.items()}
    # A package and its own sub-modules importing each other is the package's business.
    return {
        name: {t for t in targets if not (t.startswith(name + ".") or name.startswith(t + "."))}
        for name, targets in graph.items()
    }


def import_cycles(graph: Graph) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for target in successors:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return sorted(cycles)


def test_the_project_has_no_import_cycles():
    cycles = import_cycles(import_graph(ROOT))
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_walk_sees_the_projects_imports():
    """The check above is not vacuous: the walk finds the apps and their layered imports."""
    graph = import_graph(ROOT)
    assert {"accounts.views", "meetings.selectors", "organizers.services", "portal.export"} <= (
        set(graph)
    )
    assert "portal.export" in graph["meetings.views"]  # from portal.export import …
    assert "meetings.selectors" in graph["meetings.views"]  # from . import selectors
    assert not any(name.startswith(("tests.", "bench.")) for name in graph)
    assert not any(".migrations." in name for name in graph)


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def test_a_cycle_through_a_function_level_relative_import_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "shop/__init__.py": "from .views import page  # a re-export: not a cycle\n",
            "shop/views.py": "from shop import services\n\ndef page():\n    return services\n",
            "shop/services.py": "import shop.client as client\n",
            "shop/client.py": "def call():\n    from .views import page\n    return page\n",
            "shop/forms.py": "from shop.services import client\n",  # imports, in no cycle
            "other.py": "import json\nfrom shop import forms\n",
        },
    )
    assert import_cycles(import_graph(root)) == [["shop.client", "shop.services", "shop.views"]]


def test_two_separate_cycles_are_both_named(tmp_path):
    root = _package(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/one.py": "from a import two\n",
            "a/two.py": "from a.one import x\n",
            "b/__init__.py": "",
            "b/deep/__init__.py": "",
            "b/deep/x.py": "from ..y import z\n",
            "b/y.py": "from b.deep import x\n",
        },
    )
    assert import_cycles(import_graph(root)) == [["a.one", "a.two"], ["b.deep.x", "b.y"]]


def test_a_project_without_cycles_passes(tmp_path):
    root = _package(
        tmp_path,
        {
            "app/__init__.py": "from . import views\n",
            "app/views.py": "from app import services\n",
            "app/services.py": "from app.client import call\n",
            "app/client.py": "import requests\n",
            "app/tests/test_x.py": "from app import views\n",
            "bench/run.py": "from app import views\n",
        },
    )
    graph = import_graph(root)
    assert graph["app.views"] == {"app.services"} and graph["app.services"] == {"app.client"}
    assert import_cycles(graph) == []
