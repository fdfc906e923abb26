"""The layering holds (STYLE.md, "Target layout"): checked here, not by memory.

- import-linter's contracts in pyproject.toml: the core imports neither Radicale nor click nor its
  adapters, the server never imports the admin command;
- no import cycle between modules, type-only imports included;
- no module past the size where it stops being one concern.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import grimp

from tests.conftest import ROOT

PACKAGES = ("settlecal", "caldav_plugin", "importer")
MAX_MODULE_LINES = 400


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = pathlib.Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)

    cycles = [sorted(component) for component in _strongly_connected(graph) if len(component) > 1]

    assert cycles == []


def test_modules_stay_small() -> None:
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }

    assert {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (the import graph is deep enough for Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                components.append(component)
    return components
