"""Reading and writing logs: XES round trip, CSV mapping, Parquet, and clear errors."""

import gzip

import pm4py
import polars as pl
import pytest

from analytics import engine, eventlog
from analytics.eventlog import EventLogError
from analytics.tests.logs import EXAMPLE_XES, random_log

COLUMNS = ["case_id", "activity", "timestamp", "institution", "municipality"]


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Events per case in time order (ties in file order), cases sorted by id."""
    ordered = engine.sort_events(frame.select(COLUMNS)).collect()
    return ordered.sort("case_id", maintain_order=True)


def test_xes_round_trip_gives_the_same_log(tmp_path):
    events = random_log(80, seed=11)
    path = tmp_path / "log.xes"
    path.write_bytes(eventlog.xes_bytes(events))
    back = eventlog.read_xes(path)
    assert _canonical(back).equals(_canonical(events))


def test_xes_gz_round_trip_and_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(eventlog, "CHUNK_EVENTS", 50)  # several chunks
    events = random_log(3000, seed=12, max_events=3)
    path = tmp_path / "log.xes.gz"
    path.write_bytes(eventlog.xes_bytes(events, compress=True))
    seen = []
    back = eventlog.read_log(path, progress=seen.append)
    assert _canonical(back).equals(_canonical(events))
    assert seen[-1] == 1.0
    assert len(seen) > 1 and all(0 <= p <= 1 for p in seen)


def test_xes_written_by_pm4py_is_read_with_standard_keys(tmp_path):
    events = random_log(30, seed=13)
    df = events.rename(
        {
            "case_id": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
            "institution": "org:group",
        }
    ).to_pandas()
    # pm4py's rustxes writer misreads microsecond pandas timestamps (writes 1970 dates).
    df["time:timestamp"] = df["time:timestamp"].astype("datetime64[ns, UTC]")
    path = tmp_path / "pm4py.xes"
    pm4py.write_xes(pm4py.format_dataframe(df), str(path))
    back = eventlog.read_xes(path)
    assert _canonical(back).equals(_canonical(events))


def test_example_xes_with_offsets_and_nested_attributes(tmp_path):
    path = tmp_path / "ex.xes"
    path.write_text(EXAMPLE_XES, encoding="utf-8")
    events = eventlog.read_xes(path)
    assert events.height == 30
    first = events.filter(pl.col("case_id") == "1").row(0, named=True)
    assert first["timestamp"].isoformat() == "2024-12-30T10:02:00+00:00"
    assert first["resource"] == "Pete"
    assert first["case:channel"] == "Telefon"
    assert "x" not in events.columns  # nested list values are not event attributes


def test_csv_with_standard_keys_and_semicolons(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name;concept:name;time:timestamp;org:resource\n"
        "1;Meldung;2024-03-01 10:00:00;Frau A\n"
        "1;Erstkontakt;2024-03-01T12:30:00+01:00;Frau B\n",
        encoding="utf-8",
    )
    events = eventlog.read_log(path)
    assert events["activity"].to_list() == ["Meldung", "Erstkontakt"]
    assert [t.hour for t in events["timestamp"]] == [10, 11]
    assert events["resource"].to_list() == ["Frau A", "Frau B"]


def test_csv_with_column_mapping_and_format(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("Fall,Schritt,Zeit\nX,A,01.03.2024 10:00\nX,B,02.03.2024 11:00\n")
    events = eventlog.read_csv(
        path,
        mapping={"case_id": "Fall", "activity": "Schritt", "timestamp": "Zeit"},
        timestamp_format="%d.%m.%Y %H:%M",
    )
    assert events["case_id"].to_list() == ["X", "X"]
    assert events["timestamp"][1].day == 2


def test_csv_export_reads_back(tmp_path):
    events = random_log(20, seed=14)
    path = tmp_path / "out.csv"
    path.write_bytes(eventlog.csv_bytes(events))
    assert path.read_text().startswith("case:concept:name,concept:name,time:timestamp")
    assert _canonical(eventlog.read_csv(path)).equals(_canonical(events))


def test_parquet_export_reads_back(tmp_path):
    events = random_log(20, seed=15)
    path = tmp_path / "out.parquet"
    path.write_bytes(eventlog.parquet_bytes(events))
    assert _canonical(eventlog.read_log(path)).equals(_canonical(events))


@pytest.mark.parametrize(
    ("content", "message", "row"),
    [
        ("case_id,activity\n1,A\n", "Pflichtspalten fehlen: timestamp", None),
        ("case_id,activity,timestamp\n1,A,2024-01-01\n1,B,gestern\n", "Zeile 3", 3),
        ("case_id,activity,timestamp\n1,A,2024-01-01\n,B,2024-01-02\n", "Zeile 3: Fall-ID", 3),
        ("case_id,activity,timestamp\n1,A,2024-01-01\n1,,2024-01-02\n", "Aktivität fehlt", 3),
        ("case_id,activity,timestamp\n", "keine Ereignisse", None),
    ],
)
def test_malformed_csv_names_the_row(tmp_path, content, message, row):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(EventLogError, match=message) as info:
        eventlog.read_csv(path)
    assert info.value.row == row


def test_mapping_to_missing_column_is_explained(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(EventLogError, match="Zuordnung nennt Spalten.*Fall"):
        eventlog.read_csv(path, mapping={"case_id": "Fall", "activity": "b", "timestamp": "c"})


_TRACE = '<trace><string key="concept:name" value="{name}"/>{events}</trace>'
_EVENT = (
    '<event><string key="concept:name" value="A"/><date key="time:timestamp" value="{ts}"/></event>'
)


def _xes(*traces: str) -> str:
    return f'<log xmlns="http://www.xes-standard.org/">{"".join(traces)}</log>'


@pytest.mark.parametrize(
    ("document", "message", "trace"),
    [
        (_xes(_TRACE.format(name="T1", events="")), "„T1“ enthält keine Ereignisse", "T1"),
        (
            _xes(_TRACE.format(name="", events=_EVENT.format(ts="2024-01-01T00:00:00"))),
            "Trace Nr. 1 hat keinen Namen",
            "Nr. 1",
        ),
        (
            _xes(
                _TRACE.format(name="ok", events=_EVENT.format(ts="2024-01-01T00:00:00")),
                _TRACE.format(name="T2", events=_EVENT.format(ts="31/12/2024")),
            ),
            "„T2“: Zeitstempel „31/12/2024“",
            "T2",
        ),
        (
            _xes(
                _TRACE.format(
                    name="T3",
                    events="<event><date key='time:timestamp' "
                    "value='2024-01-01T00:00:00'/></event>",
                )
            ),
            "„T3“, Ereignis 1: Aktivität",
            "T3",
        ),
        (
            _xes(
                _TRACE.format(
                    name="T4", events="<event><string key='concept:name' value='A'/></event>"
                )
            ),
            "„T4“, Ereignis 1: Zeitstempel fehlt",
            "T4",
        ),
    ],
)
def test_malformed_xes_names_the_trace(tmp_path, document, message, trace):
    path = tmp_path / "bad.xes"
    path.write_text(document)
    with pytest.raises(EventLogError, match=message) as info:
        eventlog.read_xes(path)
    assert info.value.trace == trace


def test_broken_xml_and_truncated_gzip_give_clear_errors(tmp_path):
    path = tmp_path / "broken.xes"
    path.write_text("<log><trace><string key='concept:name' value='1'/>\n<event>")
    with pytest.raises(EventLogError, match="kein gültiges XML"):
        eventlog.read_xes(path)
    gz = tmp_path / "cut.xes.gz"
    gz.write_bytes(gzip.compress(EXAMPLE_XES.encode())[:200])
    with pytest.raises(EventLogError):
        eventlog.read_xes(gz)


def test_unknown_format_is_refused():
    with pytest.raises(EventLogError, match="Unbekanntes Dateiformat"):
        eventlog.detect_format("log.docx")
    assert eventlog.detect_format("LOG.XES.GZ") == "xes"
