"""The per-record delivery file: coded by the survey's mapping, whichever way the rows are read.

The file is coded in Polars from texts (cases.statistics.record_frame). These tests hold it
against a reference coded procedure by procedure from the ORM with the survey's own
``Feature.code_of``, and hold the three readers (PostgreSQL COPY, the ADBC SQLite reader,
the connection's cursor) against each other.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from cases import selectors, statistics, survey
from cases.models import Procedure
from cases.tests.factories import decide, make_procedure
from core import exports
from core.permissions import SystemActor

BERLIN = ZoneInfo("Europe/Berlin")


def _value(procedure: Procedure, lookup: str):
    target = procedure
    for part in lookup.split("__"):
        target = getattr(target, part)
    return target


def reference_rows(queryset) -> list[list]:
    """The file as a person would code it from the survey's mapping, row by row."""
    tz = timezone.get_current_timezone()
    endangered = statistics.ENDANGERED
    rows = []
    ordered = queryset.select_related("child", "municipality").order_by(
        "municipality_id", "result_at", "id"
    )
    for p in ordered:
        done = p.result_at.astimezone(tz)
        child = p.child
        age = done.year - child.birth_year - (1 if done.month < child.birth_month else 0)
        features = [
            ""
            if feature.only_endangered and p.result not in endangered
            else feature.code_of(_value(p, feature.lookup))
            for feature in survey.FEATURES
        ]
        helps = p.new_help.split(",") if p.new_help else []
        rows.append(
            [
                exports.safe_cell(p.municipality.name),
                str(p.code),
                done.year,
                done.month,
                child.birth_month,
                child.birth_year,
                age,
                survey.RESULT.code_of(p.result),
                *features,
                *[int(getattr(p, f)) for f in Procedure.KIND_FIELDS.values()],
                *[int(c.value in helps) for c in survey.NEW_HELP],
            ]
        )
    return rows


@pytest.fixture
def varied_year(team_a, caseworker_a, team_lead_a, team_b, caseworker_b, muni_b):
    """Decided procedures in two communes with every kind of stored value: nullable yes/no
    answers as yes, no and unknown; several kinds; new help as one and as two codes."""
    lead_b = __import__("conftest")._member(muni_b, "team_lead", "teamleitung-rec-b")
    team_b.memberships.get_or_create(user=lead_b)
    now = timezone.now()
    made = []
    answers = [True, False, None, True, False]
    results = ["acute", "latent", "need_of_help", "neither", "latent"]
    for index, (answer, result) in enumerate(zip(answers, results, strict=True)):
        p = make_procedure(
            team=team_a,
            actor=caseworker_a,
            received_at=now - dt.timedelta(days=5),
            child={
                "sex": "mfxdf"[index],
                "birth_year": 2012 + index,
                "birth_month": 1 + 2 * index,
                "living_situation": "unknown",
                "foreign_origin": answer,
                "german_family_language": not answer if answer is not None else None,
                "integration_assistance": answer,
                "prior_help": None,
            },
        )
        kinds = ["neglect", "physical"] if result in ("acute", "latent") else []
        decide(p, author=caseworker_a, signer=team_lead_a, result=result, kinds=kinds)
        made.append(p)
    Procedure.objects.filter(pk=made[0].pk).update(new_help="16_18,27_32", section_42=True)
    Procedure.objects.filter(pk=made[1].pk).update(new_help="19", family_court_called=True)
    b = make_procedure(team=team_b, actor=caseworker_b, received_at=now - dt.timedelta(days=2))
    decide(b, author=caseworker_b, signer=lead_b, result="neither")
    return made, b


def _year_queryset(year: int | None = None):
    year = year or timezone.localdate().year
    return selectors.statistics_queryset(user=SystemActor("t"), year=year)


def test_records_equal_the_reference_coded_from_the_procedures(varied_year, muni_a):
    muni_a.name = "=1+1 Musterstadt"  # a name that looks like a formula is defused
    muni_a.save()
    qs = _year_queryset()
    rows = list(statistics.record_rows(qs))
    assert len(rows) == 6
    assert rows == reference_rows(qs)
    header = statistics.record_header()
    first = dict(zip(header, rows[0], strict=True))
    assert first["kommune"] == "'=1+1 Musterstadt"
    # The rows exercise every kind of answer and both forms of new help.
    coded = [dict(zip(header, r, strict=True)) for r in rows]
    assert {r["auslaendische_herkunft"] for r in coded} >= {survey.YES, survey.NO, survey.UNKNOWN}
    assert {(r["hilfe_16_18"], r["hilfe_27_32"], r["hilfe_19"]) for r in coded} >= {
        (1, 1, 0),
        (0, 0, 1),
        (0, 0, 0),
    }
    assert sum(r["art_physical"] for r in coded) == 3


def test_completion_month_and_year_are_local_at_the_turn_of_the_year(varied_year):
    made, _b = varied_year
    # The last instant of the year in Berlin (22:59:59.9999 UTC: SQLite's own date functions
    # would round it into the next second, and year) and 00:30 on New Year's Day (23:30 UTC
    # the day before): one counts in the old year, the other in the new.
    old_year = dt.datetime(2024, 12, 31, 23, 59, 59, 999900, tzinfo=BERLIN)
    new_year = dt.datetime(2025, 1, 1, 0, 30, tzinfo=BERLIN)
    Procedure.objects.filter(pk=made[0].pk).update(result_at=old_year)
    Procedure.objects.filter(pk=made[1].pk).update(result_at=new_year)
    header = statistics.record_header()
    in_2024 = [
        dict(zip(header, r, strict=True)) for r in statistics.record_rows(_year_queryset(2024))
    ]
    in_2025 = [
        dict(zip(header, r, strict=True)) for r in statistics.record_rows(_year_queryset(2025))
    ]
    assert [(r["verfahren"], r["berichtsjahr"], r["abschlussmonat"]) for r in in_2024] == [
        (str(made[0].code), 2024, 12)
    ]
    assert [(r["verfahren"], r["berichtsjahr"], r["abschlussmonat"]) for r in in_2025] == [
        (str(made[1].code), 2025, 1)
    ]
    # Age at completion: the second child, born in March 2013, is still 11 in January 2025.
    assert (in_2025[0]["geburtsmonat"], in_2025[0]["geburtsjahr"]) == (3, 2013)
    assert in_2025[0]["alter"] == 11


def test_an_empty_year_gives_a_header_only_file(db):
    import io

    out = io.StringIO()
    assert statistics.write_records_csv(_year_queryset(1999), out) == 0
    assert out.getvalue().splitlines() == [";".join(statistics.record_header())]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the ADBC reader reads SQLite files")
@pytest.mark.django_db(transaction=True)  # a backup waits for an open write transaction
def test_sqlite_file_reader_in_parallel_gives_the_cursor_frame(varied_year, tmp_path):
    """The ADBC reader (a second connection per id range, used outside transactions) reads
    exactly what the connection's own cursor reads."""
    import polars as pl

    qs = _year_queryset()
    columns = ["id", "code", "result_at", "child__foreign_origin", "kind_neglect", "new_help"]
    names = [f"c{i}" for i in range(len(columns))]
    selected = {
        "c0": statistics.F("id"),
        "c1": statistics.F("code"),
        "c2": statistics._EpochMicroseconds("result_at"),
        "c3": statistics._AsText(statistics.F("child__foreign_origin")),
        "c4": statistics.F("kind_neglect"),
        "c5": statistics.F("new_help"),
    }

    def sql_of(part):
        return part.order_by().annotate(**selected).values_list(*names).query.sql_with_params()

    # The test database lives in memory; the reader gets a copy of it as a file.
    path = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()

    parts = statistics._id_partitions(qs)
    from_file = statistics._text_frame_sqlite_file(
        connection, str(path), [sql_of(p) for p in parts], names
    )
    from_cursor = statistics._text_frame_cursor(connection, *sql_of(qs), names)

    def normalised(frame):
        # A yes/no column reads 0/1 from the file and False/True through Django's converters;
        # the coding takes either (statistics.TRUE_TEXTS).
        texts = frame.with_columns(pl.all().cast(pl.String))
        return texts.with_columns(pl.col("c4").is_in(statistics.TRUE_TEXTS)).sort("c0")

    assert from_file.height == 6
    assert normalised(from_file).equals(normalised(from_cursor))
    # The exact microseconds since 1970 of every completion.
    expected = {str(p.pk): str(int(p.result_at.timestamp() * 1_000_000)) for p in qs}
    assert dict(normalised(from_file).select("c0", "c2").iter_rows()) == expected


def test_id_partitions_cover_every_row_exactly_once(varied_year):
    qs = _year_queryset()
    parts = statistics._id_partitions(qs)
    seen = [pk for part in parts for pk in part.values_list("pk", flat=True)]
    assert sorted(seen) == sorted(qs.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


def test_id_partitions_of_an_empty_table_are_the_query_itself(db):
    qs = _year_queryset()
    assert statistics._id_partitions(qs) == [qs]


def test_reader_choice():
    def fake(vendor, memory=False, atomic=False):
        return SimpleNamespace(
            vendor=vendor, is_in_memory_db=lambda: memory, in_atomic_block=atomic
        )

    assert statistics._reader_for(fake("postgresql")) == "copy"
    assert statistics._reader_for(fake("sqlite")) == "adbc"
    # Another connection would not see rows written in this transaction, nor a memory db.
    assert statistics._reader_for(fake("sqlite", atomic=True)) == "cursor"
    assert statistics._reader_for(fake("sqlite", memory=True)) == "cursor"
    assert statistics._reader_for(fake("mysql")) == "cursor"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="literals for the SQLite reader")
def test_parameters_become_literals_quoted_by_sqlite(db):
    sql = statistics._with_literals(connection, "SELECT %s, %s, '100%%'", ["O'Neil'); --", 3])
    assert connection.connection.execute(sql).fetchone() == ("O'Neil'); --", 3, "100%")
    with pytest.raises(TypeError, match="datetime"):
        statistics._with_literals(connection, "SELECT %s", [dt.datetime(2025, 1, 1, tzinfo=BERLIN)])


def test_a_failing_file_reader_falls_back_to_the_cursor(varied_year, monkeypatch, caplog):
    """Also the cursor reader on PostgreSQL (which uses COPY otherwise): it must read the
    same file from psycopg's Python values (a uuid.UUID for the code)."""
    import adbc_driver_manager

    def locked(*args, **kwargs):
        raise adbc_driver_manager.OperationalError(
            "database is locked", status_code=adbc_driver_manager.AdbcStatusCode.IO
        )

    qs = _year_queryset()
    expected = list(statistics.record_rows(qs))
    monkeypatch.setattr(statistics, "_reader_for", lambda connection: "adbc")
    monkeypatch.setattr(statistics, "_text_frame_sqlite_file", locked)
    with caplog.at_level("WARNING", logger="cases.statistics"):
        assert list(statistics.record_rows(qs)) == expected
    assert "ADBC reader failed" in caplog.text
