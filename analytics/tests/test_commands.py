"""``manage.py process_map`` on XES and CSV logs."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics import eventlog
from analytics.tests.logs import EXAMPLE_XES, random_log
from core.graphviz import dot_binary


def _run(*args):
    out = StringIO()
    call_command("process_map", *args, stdout=out)
    return out.getvalue()


def test_json_of_an_xes_log(tmp_path):
    path = tmp_path / "ex.xes"
    path.write_text(EXAMPLE_XES)
    data = json.loads(_run(str(path), "--format", "json"))
    assert set(data) == {
        "activities",
        "edges",
        "start_activities",
        "end_activities",
        "variants",
        "cases",
        "events",
    }
    assert data["cases"] == 6 and data["events"] == 30
    assert data["start_activities"] == {"Meldung": 6}
    assert set(data["edges"][0]) == {"source", "target", "count", "mean_seconds", "median_seconds"}
    assert set(data["variants"][0]) == {"activities", "count"}


def test_csv_with_mapping_and_min_frequency(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "Fall,Schritt,Zeit\n1,A,2024-01-01 10:00\n1,B,2024-01-01 11:00\n2,A,2024-01-02 10:00\n"
    )
    data = json.loads(
        _run(
            str(path),
            "--map",
            "case_id=Fall",
            "--map",
            "activity=Schritt",
            "--map",
            "timestamp=Zeit",
            "--min-frequency",
            "2",
        )
    )
    assert data["activities"] == {"A": 2} and data["edges"] == []


def test_svg_output_or_clear_error_without_graphviz(tmp_path):
    path = tmp_path / "log.xes.gz"
    path.write_bytes(eventlog.xes_bytes(random_log(10, seed=1), compress=True))
    out = tmp_path / "map.svg"
    if dot_binary() is None:
        with pytest.raises(CommandError, match="--format dot"):
            _run(str(path), "--format", "svg", "--output", str(out))
    else:
        _run(str(path), "--format", "svg", "--output", str(out))
        assert out.read_text().startswith("<svg")


def test_dot_output_works_without_graphviz(tmp_path):
    path = tmp_path / "ex.xes"
    path.write_text(EXAMPLE_XES)
    assert _run(str(path), "--format", "dot").startswith("digraph")


def test_errors_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="nicht gefunden"):
        _run(str(tmp_path / "fehlt.xes"))
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,activity,timestamp\n1,A,kaputt\n")
    with pytest.raises(CommandError, match="Zeile 2"):
        _run(str(bad))
    with pytest.raises(CommandError, match="SPALTE=QUELLE"):
        _run(str(bad), "--map", "case_id")
