"""The engine imports one way: no import cycle through it, and nothing of `api/` reaches `notebook/`.

The graph is read from the source (every `import`, also inside functions; not those only for type
checkers), so a lazy import that closes a loop counts too. The loop a review found once, a widget
following its job through the tracker whose watcher imported the job whose display made the widget
(job_view -> tracking -> watching -> job -> job_view), cannot come back.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import productai_notebook

PACKAGE = Path(productai_notebook.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package's modules `path` imports, resolved to module names (type-checking-only ones left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # what only mypy reads
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:  # `from . import _http` imports the module, not the package's names
                name = f"{base}.{alias.name}"
                found.add(name if name in modules else base)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: imports_of(path, set(modules)) & set(modules) - {name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]], within: str) -> list[list[str]]:
    """Import loops among the modules whose names start with `within` (one example path each)."""
    nodes = {name for name in edges if name.startswith(within)}
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node] & nodes):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [node, target] if target in path else [node, target])
            elif target not in state:
                visit(target, path + [node])
        state[node] = "done"

    for node in sorted(nodes):
        if node not in state:
            visit(node, [])
    return found


def test_every_engine_module_imports_on_its_own():
    engine = importlib.import_module("productai_notebook.api.engine")
    names = [info.name for info in pkgutil.iter_modules(engine.__path__, "productai_notebook.api.engine.")]
    assert {"productai_notebook.api.engine.scheduler", "productai_notebook.api.engine.driver"} <= set(names)
    for name in names:
        importlib.import_module(name)


#: the modules no import loop may pass through: the engine, and the job handle everything follows
CORE = ("productai_notebook.api.engine", "productai_notebook.api.job")


def test_no_import_cycle_runs_through_the_engine_or_the_job():
    """Within the engine, or through it and back (a widget -> the tracker -> ... -> the job -> the widget)."""
    loops = cycles(graph(), "productai_notebook")
    assert [loop for loop in loops if any(name.startswith(CORE) for name in loop)] == []


def test_nothing_of_the_api_reaches_the_widgets():
    edges = graph()
    reached, todo = set(), ["productai_notebook.api.job", "productai_notebook.api.engine.tracker"]
    while todo:
        for target in edges[todo.pop()] - reached:
            reached.add(target)
            todo.append(target)
    assert not {name for name in reached if name.startswith("productai_notebook.notebook")}


def test_the_check_sees_a_loop_when_there_is_one():
    edges = {
        "a.job_view": {"a.tracker"}, "a.tracker": {"a.driver"},
        "a.driver": {"a.job"}, "a.job": {"a.job_view"},
    }
    assert cycles(edges, "a.") != []
    edges["a.job"] = set()
    assert cycles(edges, "a.") == []
