"""``manage.py process_map`` on a trusted Parquet file: fast path, same result, clear errors."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from analytics import engine, eventlog
from analytics.management.commands.process_map import Command
from analytics.tests.logs import random_log

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    out = StringIO()
    call_command("process_map", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_skips_the_system_checks():
    assert Command.requires_system_checks == []


def test_trusted_parquet_gives_the_validated_result(tmp_path):
    events = random_log(300, seed=21)
    path = tmp_path / "log.parquet"
    path.write_bytes(eventlog.parquet_bytes(events))  # XES column names, as pm4py writes
    fast = _run(str(path))
    validated = _run(str(path), "--validate")
    assert fast == validated
    assert fast == json.loads(json.dumps(engine.process_map(events).as_json()))


def test_trusted_parquet_with_our_names_text_timestamps_and_a_mapping(tmp_path):
    frame = pl.DataFrame(
        {
            "Fall": ["1", "1", "2"],
            "Schritt": ["Meldung", "Prüfung", "Meldung"],
            "Zeit": ["2024-01-01T10:00:00+01:00", "2024-01-02T10:00:00+01:00", "2024-01-03"],
        }
    )
    path = tmp_path / "log.parquet"
    frame.write_parquet(path)
    data = _run(
        str(path), "--map", "case_id=Fall", "--map", "activity=Schritt", "--map", "timestamp=Zeit"
    )
    assert data["cases"] == 2 and data["events"] == 3
    assert data["edges"] == [
        {
            "source": "Meldung",
            "target": "Prüfung",
            "count": 1,
            "mean_seconds": 86400.0,
            "median_seconds": 86400.0,
        }
    ]


def test_trusted_parquet_without_a_required_column_is_a_clear_error(tmp_path):
    path = tmp_path / "log.parquet"
    pl.DataFrame({"case_id": ["1"], "activity": ["A"]}).write_parquet(path)
    with pytest.raises(CommandError, match="Pflichtspalten fehlen: timestamp"):
        _run(str(path))


def test_missing_and_broken_files_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="nicht gefunden"):
        _run(str(tmp_path / "fehlt.parquet"))
    broken = tmp_path / "kaputt.parquet"
    broken.write_bytes(b"PAR1 das ist kein parquet")
    with pytest.raises(CommandError, match="nicht lesbar"):
        _run(str(broken))


def test_end_to_end_in_a_fresh_process_prints_json(tmp_path):
    path = tmp_path / "log.parquet"
    path.write_bytes(eventlog.parquet_bytes(random_log(50, seed=3)))
    done = subprocess.run(  # noqa: S603 – our own interpreter and manage.py
        [sys.executable, "manage.py", "process_map", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "config.settings_test", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert json.loads(done.stdout)["cases"] == 50
