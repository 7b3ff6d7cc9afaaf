"""The package's shape: no import circles, documented subpackages, modules of a readable size.

The layers themselves (cli down to config and errors; renderers and checkers never import
the model) are import-linter contracts in pyproject.toml, run by ``lint-imports`` in CI.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import agroplan

PACKAGE_DIR = Path(agroplan.__file__).resolve().parent
MAX_MODULE_LINES = 450


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each set of modules that import one another, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
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
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == module:
                        break
                if len(members) > 1 or graph.direct_import_exists(importer=module,
                                                                  imported=module):
                    cycles.append(sorted(members))
    return sorted(cycles)


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = grimp.build_graph("agroplan", cache_dir=None)
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_circle_through_other_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "circles"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circles import b\n")
    (package / "b.py").write_text("def f():\n    from circles import c\n")  # inside a function
    (package / "c.py").write_text("import circles.a\n")
    (package / "d.py").write_text("from circles import a\n")  # imports the circle, not in it
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("circles", cache_dir=None)
    assert import_cycles(graph) == [["circles.a", "circles.b", "circles.c"]]


def subpackages() -> list[str]:
    return sorted(
        ".".join(("agroplan", *init.parent.relative_to(PACKAGE_DIR).parts))
        for init in PACKAGE_DIR.rglob("__init__.py")
        if init.parent != PACKAGE_DIR
    )


@pytest.mark.parametrize("name", subpackages())
def test_each_subpackage_says_what_it_is_for_and_exports_its_names(name: str) -> None:
    package = importlib.import_module(name)
    assert package.__doc__ and len(package.__doc__.split()) >= 15, f"{name} has no docstring"
    folder = Path(package.__file__).parent
    submodules = {p.stem for p in folder.glob("*.py")} | {p.parent.name
                                                         for p in folder.glob("*/__init__.py")}
    # importing a submodule sets the package attribute of its name, hiding an export
    assert sorted(set(package.__all__) & submodules) == []
    for public in package.__all__:
        assert getattr(package, public) is not None, f"{name}.{public} does not resolve"


def test_reading_actuals_and_comparing_plans_loads_no_solver() -> None:
    """The packages that span layers load a module only when one of its names is used."""
    code = ("import sys, agroplan.render, agroplan.roadmap.actuals, agroplan.studies.compare; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ortools', 'highspy') "
            "or m.startswith(('agroplan.model', 'agroplan.solve'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_module_is_longer_than_one_sitting() -> None:
    long = {str(path.relative_to(PACKAGE_DIR)): n for path in PACKAGE_DIR.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}
