"""The engine against pm4py (test-only reference) on generated and hand-written logs."""

import math

import pm4py
import polars as pl
import pytest

from analytics import engine, eventlog
from analytics.tests.logs import EXAMPLE_XES, frame, random_log


def _pm4py_frame(events: pl.DataFrame):
    df = events.rename(
        {"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"}
    ).to_pandas()
    return pm4py.format_dataframe(df)


def _assert_equal_to_pm4py(events: pl.DataFrame) -> None:
    ours = engine.process_map(events)
    ref = _pm4py_frame(events)
    dfg, starts, ends = pm4py.discover_dfg(ref)
    perf, _, _ = pm4py.discover_performance_dfg(ref)
    edges = {(e["source"], e["target"]): e for e in ours.edges}
    assert {k: e["count"] for k, e in edges.items()} == dict(dfg)
    assert ours.start_activities == dict(starts)
    assert ours.end_activities == dict(ends)
    for key, stats in perf.items():
        assert math.isclose(edges[key]["mean_seconds"], stats["mean"], abs_tol=1e-6)
        assert math.isclose(edges[key]["median_seconds"], stats["median"], abs_tol=1e-6)
    variants = pm4py.get_variants(ref)
    assert {tuple(v["activities"]): v["count"] for v in ours.variants} == {
        k: (v if isinstance(v, int) else len(v)) for k, v in variants.items()
    }
    assert ours.cases == ref["case:concept:name"].nunique()
    assert ours.events == len(ref)
    assert ours.activities == dict(ref["concept:name"].value_counts())
    durations = engine.case_durations(events)["seconds"].sort().to_list()
    assert durations == pytest.approx(sorted(pm4py.get_all_case_durations(ref)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_logs_equal_pm4py(seed):
    _assert_equal_to_pm4py(random_log(300, seed=seed))


def test_generated_log_with_many_timestamp_ties_equals_pm4py():
    _assert_equal_to_pm4py(random_log(200, seed=9, tie_share=0.7))


def test_hand_written_example_log_equals_pm4py(tmp_path):
    path = tmp_path / "example.xes"
    path.write_text(EXAMPLE_XES, encoding="utf-8")
    events = eventlog.read_xes(path)
    _assert_equal_to_pm4py(events)
    # pm4py's own XES reader yields the same map as ours on the same file.
    ref = pm4py.read_xes(str(path))
    dfg, starts, ends = pm4py.discover_dfg(ref)
    ours = engine.process_map(events)
    assert {(e["source"], e["target"]): e["count"] for e in ours.edges} == dict(dfg)
    assert ours.start_activities == dict(starts) == {"Meldung": 6}
    assert ours.end_activities == dict(ends)


def test_process_map_of_known_log():
    events = frame(
        [
            ("1", "A", "2024-01-01T10:00:00"),
            ("1", "B", "2024-01-01T11:00:00"),
            ("1", "C", "2024-01-01T14:00:00"),
            ("2", "A", "2024-01-02T10:00:00"),
            ("2", "B", "2024-01-02T13:00:00"),
            ("3", "A", "2024-01-03T10:00:00"),
            ("3", "C", "2024-01-03T10:30:00"),
        ]
    )
    result = engine.process_map(events)
    assert result.cases == 3 and result.events == 7
    assert result.activities == {"A": 3, "B": 2, "C": 2}
    ab = next(e for e in result.edges if (e["source"], e["target"]) == ("A", "B"))
    assert ab["count"] == 2
    assert ab["mean_seconds"] == 7200 and ab["median_seconds"] == 7200
    assert ab["p90_seconds"] == pytest.approx(3600 + 0.9 * 7200)
    assert result.start_activities == {"A": 3}
    assert result.end_activities == {"B": 1, "C": 2}
    assert [(v["activities"], v["count"]) for v in result.variants] == [
        (["A", "B"], 1),
        (["A", "B", "C"], 1),
        (["A", "C"], 1),
    ]
    assert result.variants[0]["share"] == pytest.approx(1 / 3)


def test_min_frequency_drops_rare_edges_and_activities():
    events = frame(
        [("1", "A", "2024-01-01T10:00"), ("1", "B", "2024-01-01T11:00")]
        + [("2", "A", "2024-01-02T10:00"), ("2", "B", "2024-01-02T11:00")]
        + [("3", "A", "2024-01-03T10:00"), ("3", "X", "2024-01-03T11:00")]
    )
    result = engine.process_map(events, min_frequency=2)
    assert result.activities == {"A": 3, "B": 2}
    assert [(e["source"], e["target"], e["count"]) for e in result.edges] == [("A", "B", 2)]


def test_json_shape_is_the_documented_one():
    events = frame([("1", "A", "2024-01-01T10:00"), ("1", "B", "2024-01-01T11:00")])
    data = engine.process_map(events).as_json()
    assert set(data) == {
        "activities",
        "edges",
        "start_activities",
        "end_activities",
        "variants",
        "cases",
        "events",
    }
    assert data["edges"] == [
        {"source": "A", "target": "B", "count": 1, "mean_seconds": 3600.0, "median_seconds": 3600.0}
    ]
    assert data["variants"] == [{"activities": ["A", "B"], "count": 1}]


def test_time_between_takes_first_target_after_first_source():
    events = frame(
        [
            ("1", "B", "2024-01-01T09:00"),  # B before A does not count
            ("1", "A", "2024-01-01T10:00"),
            ("1", "B", "2024-01-01T12:00"),
            ("1", "B", "2024-01-01T15:00"),
            ("2", "A", "2024-01-01T10:00"),  # no B at all
            ("3", "A", "2024-01-02T10:00"),
            ("3", "B", "2024-01-03T10:00"),
        ]
    )
    result = engine.time_between(events, source="A", target="B")
    assert result["case_id"].to_list() == ["1", "3"]
    assert result["seconds"].to_list() == [7200.0, 86400.0]


def test_handovers_count_changes_of_institution_with_waiting_time():
    events = frame(
        [
            ("1", "Meldung", "2024-01-01T10:00"),
            ("1", "Erstkontakt", "2024-01-01T12:00"),
            ("1", "Hausbesuch", "2024-01-02T12:00"),
            ("2", "Meldung", "2024-01-01T10:00"),
            ("2", "Erstkontakt", "2024-01-01T14:00"),
        ],
        institution=["Kita", "Jugendamt", "Jugendamt", "Kita", "Jugendamt"],
    )
    rows = engine.handovers(events).to_dicts()
    assert len(rows) == 1
    assert rows[0]["source"] == "Kita" and rows[0]["target"] == "Jugendamt"
    assert rows[0]["count"] == 2 and rows[0]["cases"] == 2
    assert rows[0]["mean_seconds"] == 3 * 3600


def test_empty_log_gives_empty_map():
    events = frame([]).head(0)
    result = engine.process_map(events)
    assert result.cases == 0 and result.edges == [] and result.variants == []


def test_sort_events_groups_cases_and_keeps_tie_order():
    events = frame(
        [
            ("b", "X", "2024-01-01T10:00"),
            ("a", "P", "2024-01-01T10:00"),
            ("b", "Y", "2024-01-01T10:00"),
            ("a", "Q", "2024-01-01T09:00"),
        ]
    )
    ordered = engine.sort_events(events).collect()
    per_case = ordered.group_by("case_id", maintain_order=True).agg("activity")
    assert dict(per_case.iter_rows()) == {"a": ["Q", "P"], "b": ["X", "Y"]}


def test_our_xes_export_reads_in_pm4py_with_the_same_map(tmp_path):
    events = random_log(50, seed=5)
    path = tmp_path / "export.xes"
    path.write_bytes(eventlog.xes_bytes(events))
    ref = pm4py.read_xes(str(path))
    dfg, _, _ = pm4py.discover_dfg(ref)
    ours = engine.process_map(events)
    assert {(e["source"], e["target"]): e["count"] for e in ours.edges} == dict(dfg)
    assert len(pm4py.get_variants(ref)) == len(ours.variants)


@pytest.mark.parametrize("seed", [4, 5])
def test_logs_in_time_order_equal_pm4py(seed):
    """The fast path (file already in time order, no sort) must give the same results."""
    events = random_log(300, seed=seed, tie_share=0.5).sort("timestamp", maintain_order=True)
    _assert_equal_to_pm4py(events)


def test_frequency_map_counts_equal_the_performance_map():
    events = random_log(200, seed=11)
    full = engine.process_map(events)
    counts_only = engine.process_map(events, with_durations=False)
    assert [(e["source"], e["target"], e["count"]) for e in counts_only.edges] == [
        (e["source"], e["target"], e["count"]) for e in full.edges
    ]
    assert "mean_seconds" not in counts_only.edges[0]
    assert counts_only.activities == full.activities
    assert counts_only.start_activities == full.start_activities
    assert counts_only.end_activities == full.end_activities
    assert counts_only.variants == full.variants == engine.variants(events)
    assert (counts_only.cases, counts_only.events) == (full.cases, full.events)


def test_variants_are_ordered_by_count_then_activity_names():
    events = frame(
        [
            ("1", "B", "2024-01-01T10:00"),
            ("2", "A", "2024-01-01T10:00"),
            ("2", "C", "2024-01-01T11:00"),
            ("3", "A", "2024-01-01T10:00"),
            ("3", "B", "2024-01-01T11:00"),
            ("4", "A", "2024-01-01T10:00"),
            ("4", "B", "2024-01-01T11:00"),
        ]
    )
    assert [(v["activities"], v["count"]) for v in engine.variants(events)] == [
        (["A", "B"], 2),
        (["A", "C"], 1),
        (["B"], 1),
    ]
    assert [v["share"] for v in engine.variants(events, limit=1)] == [0.5]


@pytest.mark.parametrize("with_durations", [False, True])
@pytest.mark.parametrize("in_time_order", [False, True])
def test_hash_collisions_fall_back_to_exact_keys(monkeypatch, in_time_order, with_durations):
    """With every case id hashed to the same key, results must still be exact."""
    events = random_log(60, seed=23)
    if in_time_order:
        events = events.sort("timestamp", maintain_order=True)
    expected = engine.process_map(events, with_durations=with_durations)
    expected_variants = engine.variants(events)
    monkeypatch.setattr(engine, "_case_key", lambda: pl.lit(7, dtype=pl.UInt64).alias("_case_key"))
    assert engine.process_map(events, with_durations=with_durations) == expected
    assert engine.variants(events) == expected_variants
    assert expected.cases == 60


def test_logs_grouped_by_case_equal_pm4py():
    """XES-like layout (cases contiguous, time order inside) takes the no-sort path."""
    events = random_log(200, seed=31, tie_share=0.5).sort(
        "case_id", "timestamp", maintain_order=True
    )
    assert engine._cases_in_time_order(engine._narrow(events.lazy(), exact=False)[0])
    _assert_equal_to_pm4py(events)


def test_contiguous_cases_out_of_time_order_are_sorted():
    events = frame(
        [
            ("1", "B", "2024-01-01T11:00"),
            ("1", "A", "2024-01-01T10:00"),
            ("2", "A", "2024-01-01T09:00"),
            ("2", "C", "2024-01-01T12:00"),
        ]
    )
    assert not engine._cases_in_time_order(engine._narrow(events.lazy(), exact=False)[0])
    assert [v["activities"] for v in engine.variants(events)] == [["A", "B"], ["A", "C"]]


def test_frequency_map_json_has_counts_only():
    events = frame([("1", "A", "2024-01-01T10:00"), ("1", "B", "2024-01-01T11:00")])
    data = engine.process_map(events, with_durations=False).as_json(detailed=True)
    assert data["edges"] == [{"source": "A", "target": "B", "count": 1}]
