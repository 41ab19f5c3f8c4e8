"""The layering rule of CONTRIBUTING.md, checked on every test run (tools/import_graph.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "tools" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_the_project_has_no_upward_import_and_no_cycle(tool, capsys):
    apps = tool.project_apps()
    problems = tool.new_violations(tool.violations(tool.app_graph(apps), apps))
    assert problems == []
    assert tool.main([]) == 0
    out = capsys.readouterr().out
    assert "profiles     → core, quality, registry" in out
    assert "registry     → core" in out


def _app(root: Path, name: str, source: str = "") -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    (root / name / "services.py").write_text(source)


def test_an_upward_import_is_reported_with_its_module(tool, tmp_path):
    _app(tmp_path, "core")
    _app(tmp_path, "registry", "def f():\n    from profiles import services  # lazy\n")
    _app(tmp_path, "profiles", "from registry import services\n")
    apps = tool.project_apps(tmp_path)
    problems = tool.violations(tool.app_graph(apps, tmp_path), apps)
    assert any(
        p.startswith("upward import: registry (floor 1) imports profiles (floor 4)")
        and "registry/services.py" in p
        for p in problems
    )
    assert any(p.startswith("cycle: ") for p in problems)


def test_tests_may_use_any_app_and_unknown_apps_are_reported(tool, tmp_path):
    _app(tmp_path, "core")
    (tmp_path / "core" / "tests").mkdir()
    (tmp_path / "core" / "tests" / "test_x.py").write_text("import profiles\n")
    _app(tmp_path, "profiles")
    _app(tmp_path, "newapp")
    apps = tool.project_apps(tmp_path)
    problems = tool.violations(tool.app_graph(apps, tmp_path), apps)
    assert problems == ["newapp: on no floor — add it to FLOORS in tools/import_graph.py"]
