"""XES as real tools write it: ProM/OpenXES 1.0, Fluxicon Disco, Celonis (IEEE 1849), none.

The three logs below are written by hand in the shape each tool exports (namespace,
version header, globals, classifiers, lifecycle transitions, nested attributes, the
tool's date format); they are small on purpose so that every expected value can be read
off the file. Where it helps, pm4py (test-only) reads the same file as the reference.
"""

from datetime import UTC, datetime

import pm4py
import polars as pl
import pytest

from analytics import engine, eventlog
from analytics.eventlog import EventLogError

# ProM 6 / OpenXES 1.0RC7: the deckfour namespace, XES 1.0, start *and* complete events,
# the "MXML Legacy Classifier" first, nested attributes, millisecond dates with offset.
PROM_XES = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This file has been generated with the OpenXES library. It conforms -->
<!-- to the XML serialization of the XES standard for log storage and -->
<!-- management. -->
<!-- XES standard version: 1.0 -->
<!-- OpenXES library version: 1.0RC7 -->
<!-- OpenXES is available from http://www.openxes.org/ -->
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" \
xmlns="http://code.deckfour.org/xes">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="MXML Legacy Classifier" keys="concept:name lifecycle:transition"/>
\t<classifier name="Event Name" keys="concept:name"/>
\t<classifier name="Resource" keys="org:resource"/>
\t<string key="concept:name" value="Kinderschutz Bonn (synthetisch)"/>
\t<string key="lifecycle:model" value="standard"/>
\t<trace>
\t\t<string key="concept:name" value="F-1"/>
\t\t<string key="Dringlichkeit" value="hoch"/>
\t\t<event>
\t\t\t<string key="org:resource" value="Fachkraft A"/>
\t\t\t<date key="time:timestamp" value="2024-03-04T09:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Meldung"/>
\t\t\t<string key="lifecycle:transition" value="start"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="Fachkraft A"/>
\t\t\t<date key="time:timestamp" value="2024-03-04T09:20:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Meldung"/>
\t\t\t<string key="lifecycle:transition" value="complete"/>
\t\t\t<string key="Ort" value="Bonn">
\t\t\t\t<string key="PLZ" value="53111"/>
\t\t\t</string>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="Fachkraft B"/>
\t\t\t<date key="time:timestamp" value="2024-03-04T10:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Gefährdungseinschätzung"/>
\t\t\t<string key="lifecycle:transition" value="start"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="Fachkraft B"/>
\t\t\t<date key="time:timestamp" value="2024-03-05T16:30:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Gefährdungseinschätzung"/>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="Teamleitung"/>
\t\t\t<date key="time:timestamp" value="2024-03-06T08:15:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Entscheidung"/>
\t\t\t<string key="lifecycle:transition" value="complete"/>
\t\t</event>
\t</trace>
\t<trace>
\t\t<string key="concept:name" value="F-2"/>
\t\t<event>
\t\t\t<date key="time:timestamp" value="2024-03-10T11:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Meldung"/>
\t\t\t<string key="lifecycle:transition" value="complete"/>
\t\t</event>
\t\t<event>
\t\t\t<date key="time:timestamp" value="2024-03-11T12:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Entscheidung"/>
\t\t\t<string key="lifecycle:transition" value="schedule"/>
\t\t</event>
\t\t<event>
\t\t\t<date key="time:timestamp" value="2024-03-12T12:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Entscheidung"/>
\t\t\t<string key="lifecycle:transition" value="complete"/>
\t\t</event>
\t</trace>
\t<trace>
\t\t<string key="concept:name" value="F-3"/>
\t\t<event>
\t\t\t<date key="time:timestamp" value="2024-03-13T11:00:00.000+01:00"/>
\t\t\t<string key="concept:name" value="Meldung"/>
\t\t\t<string key="lifecycle:transition" value="start"/>
\t\t</event>
\t</trace>
</log>
"""

# Fluxicon Disco: the deckfour namespace, xes.creator, an "Activity" attribute that the
# classifier names, summer and winter offsets, no lifecycle on some events.
DISCO_XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" \
xmlns="http://code.deckfour.org/xes" xes.creator="Fluxicon Disco">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <classifier name="Activity" keys="Activity"/>
  <classifier name="activity classifier" keys="Activity"/>
  <string key="concept:name" value="Hilfeplanung.csv"/>
  <trace>
    <string key="concept:name" value="HP-17"/>
    <event>
      <string key="concept:name" value="Antrag"/>
      <string key="Activity" value="Antrag eingegangen"/>
      <string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="Jugendamt"/>
      <date key="time:timestamp" value="2024-10-26T23:30:00.000+02:00"/>
    </event>
    <event>
      <string key="concept:name" value="Gespräch"/>
      <string key="Activity" value="Hilfeplangespräch"/>
      <string key="org:resource" value="Jugendamt"/>
      <date key="time:timestamp" value="2024-10-28T09:00:00.000+01:00"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="HP-18"/>
    <event>
      <string key="concept:name" value="Antrag"/>
      <string key="Activity" value="Antrag eingegangen"/>
      <string key="lifecycle:transition" value="complete"/>
      <date key="time:timestamp" value="2024-10-27T01:00:00.000+01:00"/>
    </event>
  </trace>
</log>
"""

# Celonis (IEEE 1849-2016): the standard namespace, list and container attributes, id
# attributes, UTC with "Z", offsets without a colon and dates without an offset.
CELONIS_XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <classifier name="Activity" scope="event" keys="concept:name"/>
  <trace>
    <string key="concept:name" value="100"/>
    <id key="id" value="7a1c9e6e-55d4-4df0-8a4a-3d8c0c0a1f01"/>
    <event>
      <string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2024-05-01T08:00:00Z"/>
      <int key="Priorität" value="2"/>
      <list key="Beteiligte">
        <values>
          <string key="Rolle" value="Kita"/>
          <string key="Rolle" value="Schule"/>
        </values>
      </list>
    </event>
    <event>
      <string key="concept:name" value="Hausbesuch"/>
      <date key="time:timestamp" value="2024-05-01T12:30:00.000+0200"/>
      <container key="Adresse">
        <string key="Ort" value="Bremen"/>
      </container>
    </event>
    <event>
      <string key="concept:name" value="Schutzplan"/>
      <date key="time:timestamp" value="2024-05-02T09:00:00"/>
      <boolean key="abgestimmt" value="true"/>
    </event>
  </trace>
</log>
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_prom_log_in_the_deckfour_namespace_keeps_complete_events(tmp_path):
    events = eventlog.read_log(_write(tmp_path, "prom.xes", PROM_XES))
    rows = events.select("case_id", "activity", "timestamp", "resource").rows()
    assert rows == [
        ("F-1", "Meldung", _utc(2024, 3, 4, 8, 20), "Fachkraft A"),
        ("F-1", "Gefährdungseinschätzung", _utc(2024, 3, 5, 15, 30), "Fachkraft B"),
        ("F-1", "Entscheidung", _utc(2024, 3, 6, 7, 15), "Teamleitung"),
        ("F-2", "Meldung", _utc(2024, 3, 10, 10), None),
        ("F-2", "Entscheidung", _utc(2024, 3, 12, 11), None),
    ]
    # The trace-level attribute is a case column; the nested PLZ is not a column, its
    # parent value is; the open case F-3 (only "start") is left out.
    assert events["case:Dringlichkeit"].to_list()[:1] == ["hoch"]
    assert "PLZ" not in events.columns and "Ort" in events.columns
    assert "F-3" not in events["case_id"].to_list()
    # The legacy classifier's lifecycle key does not end up in the activity name.
    assert not any("+" in a for a in events["activity"].to_list())


def test_prom_map_equals_pm4py_on_complete_events(tmp_path):
    path = _write(tmp_path, "prom.xes", PROM_XES)
    ours = engine.process_map(eventlog.read_log(path))
    reference = pm4py.read_xes(str(path), variant="iterparse")
    complete = reference[reference["lifecycle:transition"].str.lower() == "complete"]
    dfg, starts, ends = pm4py.discover_dfg(complete)
    assert {(e["source"], e["target"]): e["count"] for e in ours.edges} == dict(dfg)
    assert ours.start_activities == dict(starts)
    assert ours.end_activities == dict(ends)


def test_disco_log_uses_the_classifier_and_converts_both_offsets(tmp_path):
    events = eventlog.read_log(_write(tmp_path, "disco.xes", DISCO_XES))
    assert events.select("case_id", "activity", "timestamp").rows() == [
        ("HP-17", "Antrag eingegangen", _utc(2024, 10, 26, 21, 30)),
        ("HP-17", "Hilfeplangespräch", _utc(2024, 10, 28, 8)),
        ("HP-18", "Antrag eingegangen", _utc(2024, 10, 27, 0)),
    ]


def test_celonis_log_skips_list_and_container_values_and_reads_every_date_form(tmp_path):
    path = _write(tmp_path, "celonis.xes", CELONIS_XES)
    events = eventlog.read_log(path)
    assert events.select("activity", "timestamp").rows() == [
        ("Meldung", _utc(2024, 5, 1, 8)),
        ("Hausbesuch", _utc(2024, 5, 1, 10, 30)),
        ("Schutzplan", _utc(2024, 5, 2, 9)),  # no offset: UTC, as pm4py reads it
    ]
    assert events["Priorität"].to_list()[0] == "2"
    assert events["case:id"].to_list()[0] == "7a1c9e6e-55d4-4df0-8a4a-3d8c0c0a1f01"
    for nested in ("Beteiligte", "Rolle", "Adresse", "Ort"):
        assert nested not in events.columns
    # pm4py reads the same instants (it converts offsets to UTC and treats naive as UTC).
    reference = pm4py.read_xes(str(path), variant="iterparse")
    assert [t.to_pydatetime() for t in reference["time:timestamp"]] == events["timestamp"].to_list()


def test_log_without_any_namespace_is_read(tmp_path):
    plain = CELONIS_XES.replace(' xmlns="http://www.xes-standard.org/"', "")
    events = eventlog.read_log(_write(tmp_path, "plain.xes", plain))
    assert events["activity"].to_list() == ["Meldung", "Hausbesuch", "Schutzplan"]


def test_other_namespace_and_gzip_are_read(tmp_path):
    import gzip

    other = PROM_XES.replace("http://code.deckfour.org/xes", "urn:example:xes")
    path = tmp_path / "other.xes.gz"
    path.write_bytes(gzip.compress(other.encode()))
    assert eventlog.read_log(path).height == 5


def test_classifier_with_quoted_keys_joins_values_like_pm4py():
    assert eventlog.classifier_keys("'Activity Name' org:group lifecycle:transition") == [
        "Activity Name",
        "org:group",
        "lifecycle:transition",
    ]


def test_classifier_of_several_keys_names_the_activity(tmp_path):
    doc = """<log xmlns="http://code.deckfour.org/xes">
      <classifier name="Schritt und Stelle" keys="'Activity Name' org:group"/>
      <trace><string key="concept:name" value="1"/>
        <event><string key="Activity Name" value="Meldung"/><string key="org:group" value="Kita"/>
          <date key="time:timestamp" value="2024-01-01T10:00:00+01:00"/></event>
        <event><string key="concept:name" value="Rückfrage"/>
          <date key="time:timestamp" value="2024-01-02T10:00:00+01:00"/></event>
      </trace></log>"""
    events = eventlog.read_log(_write(tmp_path, "c.xes", doc))
    # An event without the classifier's keys falls back to concept:name.
    assert events["activity"].to_list() == ["Meldung+Kita", "Rückfrage"]


def test_log_with_only_start_events_is_refused_clearly(tmp_path):
    doc = """<log xmlns="http://code.deckfour.org/xes"><trace>
      <string key="concept:name" value="1"/>
      <event><string key="concept:name" value="A"/>
        <string key="lifecycle:transition" value="start"/>
        <date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event>
      </trace></log>"""
    with pytest.raises(EventLogError, match="keine abgeschlossenen Ereignisse"):
        eventlog.read_log(_write(tmp_path, "s.xes", doc))


def test_error_messages_quoting_the_file_are_truncated(tmp_path):
    name = "X" * 100_000
    doc = f"""<log><trace><string key="concept:name" value="{name}"/>
      <event><string key="concept:name" value="A"/>
        <date key="time:timestamp" value="gestern"/></event></trace></log>"""
    with pytest.raises(EventLogError) as caught:
        eventlog.read_log(_write(tmp_path, "long.xes", doc))
    assert len(str(caught.value)) <= eventlog.MAX_MESSAGE
    assert len(caught.value.trace) <= 200


def test_converted_frame_equals_pm4py_timestamps_for_prom(tmp_path):
    path = _write(tmp_path, "prom.xes", PROM_XES)
    ours = eventlog.read_log(path)
    reference = pm4py.read_xes(str(path), variant="iterparse")
    complete = reference[reference["lifecycle:transition"].str.lower() == "complete"]
    assert ours["timestamp"].to_list() == [t.to_pydatetime() for t in complete["time:timestamp"]]
    assert pl.Series(complete["case:concept:name"].tolist()).to_list() == ours["case_id"].to_list()
