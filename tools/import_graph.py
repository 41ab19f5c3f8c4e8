"""Print the import graph between the project's apps and fail on an upward import.

Each app lives on a floor (CONTRIBUTING.md, "Layout"); an app may import from its own floor's
lower floors only, never from a higher one, and two apps on one floor must not import each
other in a cycle. Test modules are left out: a test may set up data through any app.

    python tools/import_graph.py            # graph and check; exit code 1 on a violation
    python tools/import_graph.py --dot      # the graph in Graphviz format

Imports inside functions count too (a lazy import is still a dependency), ``TYPE_CHECKING``
imports as well (they document one). Only the static ``import``/``from`` statements are
read (``ast``), nothing is imported, so the check runs without Django.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The floors, lowest first. An app imports only from lower floors (and itself); apps on
# one floor may import each other as long as no cycle forms (checked below).
FLOORS: list[tuple[str, ...]] = [
    ("core",),
    ("registry",),
    ("quality", "network", "directory", "cases", "instruments"),
    ("reviews", "evaluation", "partners", "roles", "standards", "trainings"),
    ("profiles", "analytics"),
    ("accounts",),  # login, second factor, passwords (uses the demo logins of profiles)
    ("operations",),
    ("config",),
]
# Violations that exist on main and are not yet resolved. Each is named here so that the
# check stays strict for everything else; remove the entry with the fix (the test fails
# when a listed violation no longer occurs, so the list cannot go stale).
KNOWN_VIOLATIONS = {
    # cases.instruments reads commune-owned instrument versions lazily from the instruments
    # app, which itself builds on cases: one of the two belongs to the other's floor.
    "cycle: cases → instruments → cases",
}
# Folders that are not apps and may import anything (they sit outside the floors).
OUTSIDE = {"tools", "bench", "docs", "locale", "static", "templates", "var", "deploy"}


def floor_of(app: str) -> int | None:
    for number, apps in enumerate(FLOORS):
        if app in apps:
            return number
    return None


def project_apps(root: Path = ROOT) -> set[str]:
    return {
        p.name
        for p in root.iterdir()
        if p.is_dir()
        and (p / "__init__.py").exists()
        and p.name not in OUTSIDE
        and not p.name.startswith(".")
    }


def _is_test(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py"


def imports_of(path: Path) -> set[str]:
    """Top-level package names imported by one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def app_graph(apps: set[str], root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> the modules (paths) that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in sorted(apps):
        for path in sorted((root / app).rglob("*.py")):
            if _is_test(path, root) or "migrations" in path.parts:
                continue
            for target in imports_of(path) & apps:
                if target != app:
                    graph[app][target].append(str(path.relative_to(root)))
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every elementary cycle's first occurrence found by depth-first search."""
    found: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, {})):
            if nxt in path:
                cycle = path[path.index(nxt) :] + [nxt]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(cycle)
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    return found


def violations(graph: dict[str, dict[str, list[str]]], apps: set[str]) -> list[str]:
    problems = [
        f"{app}: on no floor — add it to FLOORS in tools/import_graph.py"
        for app in sorted(apps)
        if floor_of(app) is None
    ]
    for app, targets in sorted(graph.items()):
        own = floor_of(app)
        for target, modules in sorted(targets.items()):
            theirs = floor_of(target)
            if own is None or theirs is None:
                continue
            if theirs > own:
                problems.append(
                    f"upward import: {app} (floor {own}) imports {target} (floor {theirs}) "
                    f"in {', '.join(modules)}"
                )
    problems += ["cycle: " + " → ".join(cycle) for cycle in _cycles(graph)]
    return problems


def new_violations(problems: list[str]) -> list[str]:
    """The violations not in KNOWN_VIOLATIONS, plus known ones that no longer occur."""
    fresh = [p for p in problems if not any(p.startswith(k) for k in KNOWN_VIOLATIONS)]
    gone = [
        f"fixed, remove from KNOWN_VIOLATIONS: {k}"
        for k in sorted(KNOWN_VIOLATIONS)
        if not any(p.startswith(k) for p in problems)
    ]
    return fresh + gone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dot", action="store_true", help="print Graphviz dot instead")
    args = parser.parse_args(argv)
    apps = project_apps()
    graph = app_graph(apps)
    if args.dot:
        print("digraph apps {")
        for app, targets in sorted(graph.items()):
            for target in sorted(targets):
                print(f'  "{app}" -> "{target}";')
        print("}")
    else:
        for number, floor in enumerate(FLOORS):
            print(f"floor {number}: {', '.join(a for a in floor if a in apps)}")
        print()
        for app in sorted(apps):
            targets = sorted(graph.get(app, {}))
            print(f"{app:<12} → {', '.join(targets) if targets else '–'}")
    problems = new_violations(violations(graph, apps))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
