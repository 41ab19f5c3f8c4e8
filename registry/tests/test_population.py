"""Population import: all rows or nothing, errors name the line."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import AuditEvent
from core.permissions import SYSTEM
from registry.models import PopulationCount
from registry.services import PopulationImportError, population_import_csv

GOOD = """municipality,year,age_from,age_to,sex,count
musterstadt-a,2024,0,2,f,1200
musterstadt-a,2024,0,2,m,1250
musterstadt-a,2024,75,,w,3000
"""


def test_import_writes_rows_and_audit(muni_a):
    assert population_import_csv(text=GOOD, source="test.csv", actor=SYSTEM) == 3
    rows = PopulationCount.objects.filter(municipality=muni_a)
    assert rows.count() == 3
    assert rows.get(age_from=75).age_to is None
    assert rows.get(age_from=75).sex == "f"
    assert AuditEvent.objects.filter(municipality=muni_a, action="import").count() == 3


def test_reimport_is_idempotent(muni_a):
    population_import_csv(text=GOOD, source="a.csv", actor=SYSTEM)
    before = AuditEvent.objects.count()
    population_import_csv(text=GOOD, source="a.csv", actor=SYSTEM)
    assert AuditEvent.objects.count() == before
    assert PopulationCount.objects.count() == 3


def test_semicolon_csv_and_municipality_by_name(muni_a):
    text = "municipality;year;age_from;age_to;sex;count\nStadt Musterstadt A;2023;3;5;männlich;99\n"
    population_import_csv(text=text, source="x.csv", actor=SYSTEM)
    assert PopulationCount.objects.get().count == 99


def test_any_bad_row_imports_nothing_and_names_lines(muni_a):
    bad = (
        GOOD + "musterstadt-a,2024,6,3,f,10\nunbekannt,2024,0,2,f,1\nmusterstadt-a,zwei,0,2,x,-1\n"
    )
    with pytest.raises(PopulationImportError) as info:
        population_import_csv(text=bad, source="bad.csv", actor=SYSTEM)
    text = " | ".join(info.value.errors)
    assert "Zeile 5" in text and "age_to" in text
    assert "Zeile 6" in text and "unbekannt" in text
    assert "Zeile 7, Spalte „year“" in text
    assert "Zeile 7, Spalte „sex“" in text
    assert PopulationCount.objects.count() == 0


def test_missing_columns_are_reported(muni_a):
    with pytest.raises(PopulationImportError, match="Spalten fehlen: age_to, count"):
        population_import_csv(text="municipality,year,age_from,sex\n", source="h.csv", actor=SYSTEM)


def test_duplicate_rows_are_rejected(muni_a):
    with pytest.raises(PopulationImportError, match="doppelte Zeile"):
        population_import_csv(
            text=GOOD + "musterstadt-a,2024,0,2,f,1\n", source="d.csv", actor=SYSTEM
        )


def test_command_exits_non_zero_on_errors(muni_a, tmp_path, capsys):
    path = tmp_path / "pop.csv"
    path.write_text("municipality,year,age_from,age_to,sex,count\nnirgendwo,2024,0,2,f,1\n")
    with pytest.raises(CommandError, match="nichts importiert"):
        call_command("import_population", str(path))
    assert "Zeile 2" in capsys.readouterr().err
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("import_population", str(tmp_path / "fehlt.csv"))


def test_command_imports_cp1252(muni_a, tmp_path):
    path = tmp_path / "pop.csv"
    text = "municipality;year;age_from;age_to;sex;count\nStadt Musterstadt A;2024;0;2;männlich;7\n"
    path.write_bytes(text.encode("cp1252"))
    call_command("import_population", str(path))
    assert PopulationCount.objects.get().count == 7


# Issue 14 item 6: required columns, line numbers, no tracebacks, nothing written on failure.


def test_missing_age_to_column_does_not_overwrite_a_band(muni_a, tmp_path, capsys):
    population_import_csv(text=GOOD, source="good.csv", actor=SYSTEM)
    before = list(PopulationCount.objects.values_list("age_from", "age_to", "sex", "count"))
    path = tmp_path / "ohne_age_to.csv"
    path.write_text("municipality,year,age_from,sex,count\nmusterstadt-a,2024,0,f,99\n")
    with pytest.raises(CommandError, match="nichts importiert"):
        call_command("import_population", str(path))
    assert "Zeile 1: Spalten fehlen: age_to" in capsys.readouterr().err
    assert list(PopulationCount.objects.values_list("age_from", "age_to", "sex", "count")) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("musterstadt-a,2024,0,2,f,1,zuviel\n", "Zeile 2: mehr Werte als Spalten"),
        ("musterstadt-a,2024,0\n", "Zeile 2: weniger Werte als Spalten"),
        ("musterstadt-a,2024,0,2,f,1\nmusterstadt-a,2024,3,5,f,1\x00\n", "Zeile 3"),
        ("musterstadt-a,2024,0,2,f,99999999999999999999999\n", "Zeile 2, Spalte „count“"),
        ("musterstadt-a,99999,0,2,f,1\n", "Zeile 2, Spalte „year“"),
        ("\nmusterstadt-a,2024,0,2,f,1\nmusterstadt-a,2024,0,x,f,1\n", "Zeile 4, Spalte „age_to“"),
    ],
)
def test_bad_rows_are_line_numbered_errors_and_import_nothing(
    muni_a, tmp_path, capsys, body, expected
):
    path = tmp_path / "pop.csv"
    path.write_bytes(("municipality,year,age_from,age_to,sex,count\n" + body).encode())
    with pytest.raises(CommandError, match="nichts importiert"):
        call_command("import_population", str(path))
    assert expected in capsys.readouterr().err
    assert not PopulationCount.objects.exists()


def test_undecodable_or_headerless_files_are_errors(muni_a, tmp_path, capsys):
    binary = tmp_path / "bild.csv"
    binary.write_bytes(b"municipality,year\n\x81\x8d\x8f\x90\x9d\n")
    with pytest.raises(CommandError, match="Zeile 2: weder UTF-8 noch Windows-1252"):
        call_command("import_population", str(binary))
    one_column = tmp_path / "eine_spalte.csv"
    one_column.write_text("Einwohner\n12\n")
    with pytest.raises(CommandError):
        call_command("import_population", str(one_column))
    assert "Spalten fehlen" in capsys.readouterr().err
    doubled = tmp_path / "doppelt.csv"
    doubled.write_text("municipality,year,age_from,age_to,sex,count,count\n")
    with pytest.raises(CommandError):
        call_command("import_population", str(doubled))
    assert "Spalten doppelt: count" in capsys.readouterr().err
