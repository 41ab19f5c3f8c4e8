"""The coverage gate: module minimums and every line of every chokepoint selector."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("coverage_gate", ROOT / "tools/coverage_gate.py")
gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)

SELECTORS = """
def thing_get_for_user(*, user, pk):
    thing = load(pk)
    if thing.commune != user.commune:
        raise LookupError
    return thing


def helper():
    return 1
"""


class FakeCoverage:
    def __init__(self, percent: float, missing: list[int]) -> None:
        self.percent, self.missing = percent, missing

    def _analyze(self, _path: str):
        return SimpleNamespace(numbers=SimpleNamespace(pc_covered=self.percent))

    def analysis2(self, path: str):
        return path, [3, 4, 5, 6, 10], [], self.missing, ""


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "selectors.py").write_text(SELECTORS, encoding="utf-8")
    return tmp_path


def test_chokepoints_are_found_by_name(tmp_path):
    found = gate.chokepoints(_tree(tmp_path) / "app" / "selectors.py")
    assert found == [("thing_get_for_user", 3, 6)]


def test_gate_passes_full_coverage_and_fails_an_unrun_chokepoint_line(tmp_path):
    root = _tree(tmp_path)
    report, problems = gate.check(FakeCoverage(100.0, missing=[10]), root)
    assert problems == []  # line 10 belongs to helper(), not to a chokepoint
    assert any(line.endswith("4/4 lines") for line in report)
    _report, problems = gate.check(FakeCoverage(100.0, missing=[5]), root)
    assert problems == ["app/selectors.py:thing_get_for_user: lines 5 never run by a test"]


def test_gate_fails_a_module_below_its_minimum(tmp_path):
    _report, problems = gate.check(FakeCoverage(50.0, missing=[]), _tree(tmp_path))
    assert len(problems) == len(gate.MINIMUM)
    assert all("50.0 % <" in p for p in problems)
