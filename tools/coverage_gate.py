"""Fail when the security-critical code is not fully exercised by the tests.

Run after ``pytest --cov --cov-config=tools/coverage_gate.toml`` (``make test`` does):

- ``core/permissions.py``, ``core/audit.py`` and ``core/crypto.py`` must reach their
  ``MINIMUM`` per cent of lines and branches (set from a measured full run: raise it
  when tests are added, never lower it to pass);
- every chokepoint selector (a function named ``*_get_for_user`` in an app's
  ``selectors.py``) must have every line run: a line no test reaches is a path by which
  somebody might read another commune's data untested.

Prints the numbers; exit code 1 names what falls short.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from coverage import Coverage

ROOT = Path(__file__).resolve().parent.parent
MINIMUM = {
    "core/permissions.py": 96.0,  # 96.5 % measured on a full run (2026-12-06)
    "core/audit.py": 100.0,
    "core/crypto.py": 100.0,
}
CHOKEPOINT_SUFFIX = "_get_for_user"


def _percent(cov: Coverage, path: Path) -> float:
    analysis = cov._analyze(str(path))  # noqa: SLF001 – the public report API prints only
    numbers = analysis.numbers
    return float(numbers.pc_covered)


def chokepoints(path: Path) -> list[tuple[str, int, int]]:
    """(name, first body line, last line) of every chokepoint selector in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.body[0].lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.endswith(CHOKEPOINT_SUFFIX)
    ]


def check(cov: Coverage, root: Path = ROOT) -> tuple[list[str], list[str]]:
    report, problems = [], []
    for name, minimum in MINIMUM.items():
        percent = _percent(cov, root / name)
        report.append(f"{name:<28} {percent:6.1f} %  (minimum {minimum:.0f} %)")
        if percent < minimum:
            problems.append(f"{name}: {percent:.1f} % < {minimum:.0f} %")
    for path in sorted(root.glob("*/selectors.py")):
        found = chokepoints(path)
        if not found:
            continue
        _file, statements, _excluded, missing, _text = cov.analysis2(str(path))
        for function, first, last in found:
            lines = [n for n in statements if first <= n <= last]
            unrun = [n for n in missing if first <= n <= last]
            label = f"{path.relative_to(root)}:{function}"
            report.append(f"{label:<60} {len(lines) - len(unrun)}/{len(lines)} lines")
            if unrun:
                problems.append(f"{label}: lines {', '.join(map(str, unrun))} never run by a test")
    return report, problems


def main() -> int:
    cov = Coverage(config_file=str(ROOT / "tools" / "coverage_gate.toml"))
    cov.load()
    report, problems = check(cov)
    print("Coverage gate (security-critical code):")
    for line in report:
        print("  " + line)
    for problem in problems:
        print("FAILED: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
