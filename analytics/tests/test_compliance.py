"""Deadline rules on hand-made cases (no database)."""

import datetime as dt

import pytest

from analytics import compliance
from analytics.compliance import Rule
from analytics.tests.logs import frame

NOW = dt.datetime(2024, 3, 31, 12, 0, tzinfo=dt.UTC)
RULE = Rule(
    name="Erstkontakt 24 h", start_activity="Meldung", end_activity="Kontakt", deadline_hours=24
)


def _log():
    return frame(
        [
            ("met", "Meldung", "2024-01-10T08:00"),
            ("met", "Kontakt", "2024-01-11T08:00"),  # exactly 24 h: still in time
            ("late", "Meldung", "2024-01-20T08:00"),
            ("late", "Kontakt", "2024-01-21T09:00"),  # 25 h
            ("never", "Meldung", "2024-02-01T08:00"),  # no contact, deadline long past
            ("running", "Meldung", "2024-03-31T00:00"),  # no contact yet, 12 h left
            ("before", "Kontakt", "2024-02-05T07:00"),  # contact before report: ignored
            ("before", "Meldung", "2024-02-05T08:00"),
            ("before", "Kontakt", "2024-02-05T10:00"),
            ("nostart", "Kontakt", "2024-02-07T10:00"),
        ],
        urgency=["akut"] * 2 + ["normal"] * 8,
        municipality=["a"] * 6 + ["b"] * 3 + ["a"],
    )


def test_each_case_is_met_missed_or_open():
    per_case = compliance.rule_cases(_log(), RULE, now=NOW)
    assert dict(per_case.select("case_id", "status").iter_rows()) == {
        "met": "met",
        "late": "missed",
        "never": "missed",
        "running": "open",
        "before": "met",
    }
    assert per_case.filter(per_case["case_id"] == "late")["hours"][0] == 25.0


def test_share_missed_cases_and_monthly_trend():
    result = compliance.evaluate_rule(_log(), RULE, now=NOW)
    assert (result["met"], result["missed"], result["open"]) == (2, 2, 1)
    assert result["share_met"] == pytest.approx(0.5)
    assert [c["case_id"] for c in result["missed_cases"]] == ["late", "never"]
    assert result["missed_cases"][1]["end"] is None
    assert result["by_month"] == [
        {"month": "2024-01", "met": 1, "missed": 1, "share_met": 0.5},
        {"month": "2024-02", "met": 1, "missed": 1, "share_met": 0.5},
    ]


def test_urgency_and_commune_restrict_the_rule():
    urgent = Rule(**{**RULE.__dict__, "urgency": "akut"})
    assert compliance.evaluate_rule(_log(), urgent, now=NOW)["met"] == 1
    assert compliance.evaluate_rule(_log(), urgent, now=NOW)["missed"] == 0
    other = Rule(**{**RULE.__dict__, "municipality": "b"})
    result = compliance.evaluate_rule(_log(), other, now=NOW)
    assert result["evaluated"] == 1 and result["share_met"] == 1.0


def test_rules_match_activity_codes_too():
    log = frame(
        [
            ("x", "Meldung eingegangen", "2024-01-01T08:00"),
            ("x", "Erstkontakt", "2024-01-05T08:00"),
        ],
        activity_code=["report_received", "first_contact"],
    )
    rule = Rule(
        name="3 Tage",
        start_activity="report_received",
        end_activity="first_contact",
        deadline_hours=72,
    )
    result = compliance.evaluate_rule(log, rule, now=NOW)
    assert result["missed"] == 1 and result["missed_cases"][0]["hours"] == 96.0


def test_no_matching_cases_gives_no_share():
    rule = Rule(name="nie", start_activity="X", end_activity="Y", deadline_hours=1)
    result = compliance.evaluate_rule(_log(), rule, now=NOW)
    assert result["evaluated"] == 0 and result["share_met"] is None and result["by_month"] == []
