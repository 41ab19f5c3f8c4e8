"""Small event logs for tests: hand-written examples and a seeded random generator."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

UTC = dt.UTC

# A hand-written log in the spirit of the classic "running example" of process mining
# (request for compensation), written by us: six cases, loops, ties and one-event paths.
EXAMPLE_XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="Beispielprotokoll"/>
  <trace>
    <string key="concept:name" value="1"/>
    <string key="channel" value="Telefon"/>
    <event><string key="concept:name" value="Meldung"/><string key="org:resource" value="Pete"/>
      <date key="time:timestamp" value="2024-12-30T11:02:00.000+01:00"/></event>
    <event><string key="concept:name" value="Prüfung gründlich"/>
      <string key="org:resource" value="Sue"/><string key="org:group" value="ASD"/>
      <date key="time:timestamp" value="2024-12-31T10:06:00.000+01:00"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2025-01-05T15:12:00.000+01:00"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-06T11:18:00.000+01:00"/></event>
    <event><string key="concept:name" value="Ablehnung"/>
      <date key="time:timestamp" value="2025-01-07T14:24:00.000+01:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="2"/>
    <event><string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2024-12-30T11:32:00Z"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2024-12-30T12:12:00Z"/></event>
    <event><string key="concept:name" value="Prüfung kurz"/>
      <date key="time:timestamp" value="2024-12-30T14:16:00Z"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-05T11:22:00Z"/></event>
    <event><string key="concept:name" value="Zahlung"/>
      <date key="time:timestamp" value="2025-01-08T12:05:00Z"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="3"/>
    <event><string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2024-12-30T14:32:00"/></event>
    <event><string key="concept:name" value="Prüfung kurz"/>
      <date key="time:timestamp" value="2024-12-30T15:06:00"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2024-12-30T16:34:00"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-06T09:18:00"/></event>
    <event><string key="concept:name" value="Neu einleiten"/>
      <date key="time:timestamp" value="2025-01-06T12:18:00"/></event>
    <event><string key="concept:name" value="Prüfung gründlich"/>
      <date key="time:timestamp" value="2025-01-06T13:06:00"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2025-01-08T11:43:00"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-09T09:55:00"/></event>
    <event><string key="concept:name" value="Zahlung"/>
      <date key="time:timestamp" value="2025-01-15T10:45:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="4"/>
    <event><string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2025-01-06T15:02:00.000+01:00"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2025-01-06T16:06:00.000+01:00"/></event>
    <event><string key="concept:name" value="Prüfung gründlich"/>
      <date key="time:timestamp" value="2025-01-06T16:06:00.000+01:00"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-07T16:52:00.000+01:00"/></event>
    <event><string key="concept:name" value="Ablehnung"/>
      <date key="time:timestamp" value="2025-01-07T16:52:00.000+01:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="5"/>
    <event><string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2025-01-06T09:02:00.500+01:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="6"/>
    <event><string key="concept:name" value="Meldung"/>
      <date key="time:timestamp" value="2025-01-06T09:02:00+01:00"/></event>
    <event><string key="concept:name" value="Prüfung kurz"/>
      <list key="tags"><values><string key="x" value="verschachtelt"/></values></list>
      <date key="time:timestamp" value="2025-01-06T10:06:00+01:00"/></event>
    <event><string key="concept:name" value="Akte lesen"/>
      <date key="time:timestamp" value="2025-01-06T11:43:00+01:00"/></event>
    <event><string key="concept:name" value="Entscheidung"/>
      <date key="time:timestamp" value="2025-01-07T09:55:00+01:00"/></event>
    <event><string key="concept:name" value="Zahlung"/>
      <date key="time:timestamp" value="2025-01-07T10:45:00+01:00"/></event>
  </trace>
</log>
"""

ACTIVITIES = [
    "Meldung eingegangen",
    "Ersteinschätzung",
    "Erstkontakt",
    "Hausbesuch",
    "Gefährdungseinschätzung",
    "Hilfe angeboten",
    "Verfahren abgeschlossen",
]
INSTITUTIONS = ["Jugendamt", "Kita", "Schule", "Klinik", "Polizei"]


def random_log(cases: int, *, seed: int, max_events: int = 8, tie_share: float = 0.2):
    """A shuffled random log with repeated activities, timestamp ties and 1-event cases."""
    rng = random.Random(seed)
    rows = []
    base = dt.datetime(2024, 1, 1, tzinfo=UTC)
    for c in range(cases):
        t = base + dt.timedelta(minutes=rng.randint(0, 500_000))
        for _ in range(rng.randint(1, max_events)):
            if rng.random() > tie_share:
                t += dt.timedelta(seconds=rng.randint(1, 400_000))
            rows.append(
                (f"F{c:04d}", rng.choice(ACTIVITIES), t, rng.choice(INSTITUTIONS), "kommune-x")
            )
    # Shuffled as a file might come; ties keep the shuffled order (pm4py and we sort stably).
    return pl.DataFrame(
        rows,
        schema=[
            ("case_id", pl.Utf8),
            ("activity", pl.Utf8),
            ("timestamp", pl.Datetime("us", "UTC")),
            ("institution", pl.Utf8),
            ("municipality", pl.Utf8),
        ],
        orient="row",
    ).sample(fraction=1.0, shuffle=True, seed=seed)


def frame(rows: list[tuple[str, str, str]], **extra_columns: list) -> pl.DataFrame:
    """A tiny event frame from (case, activity, ISO time) tuples."""
    data = {
        "case_id": [r[0] for r in rows],
        "activity": [r[1] for r in rows],
        "timestamp": [dt.datetime.fromisoformat(r[2]).replace(tzinfo=UTC) for r in rows],
        **extra_columns,
    }
    return pl.DataFrame(data).with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
