"""Platform events through the cases app, isolation between communes, comparison."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from analytics import selectors
from analytics.constants import COMPARISON_NOISE
from analytics.selectors import LogFilter
from analytics.tests.factories import ComplianceRuleFactory, procedure_with_steps
from cases.tests.factories import team_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures(muni_a, muni_b, caseworker_a, caseworker_b):
    """Commune A: 5 procedures (one contact late, one with hand-over); B: 2 procedures."""
    team_a = team_with(muni_a, caseworker_a)
    team_b = team_with(muni_b, caseworker_b, name="ASD B")
    start = timezone.now() - dt.timedelta(days=40)
    made = []
    for i, hours in enumerate([5, 10, 20, 30, 60]):
        made.append(
            procedure_with_steps(
                team_a,
                received_at=start + dt.timedelta(days=i),
                urgency="immediate" if i < 3 else "within_3_days",
                steps=[("first_contact", hours, "ASD"), ("home_visit", hours + 24, "ASD")]
                + ([("police_involved", hours + 30, "Polizei")] if i == 0 else []),
            )
        )
    made.extend(
        procedure_with_steps(
            team_b,
            received_at=start + dt.timedelta(days=i),
            steps=[("first_contact", 2, "ASD B")],
        )
        for i in range(2)
    )
    return made


def test_coordinator_sees_only_own_communes_procedures(procedures, coordinator_a, muni_b):
    frame = selectors.platform_events(user=coordinator_a, log_filter=LogFilter())
    assert set(frame["municipality"].unique()) == {"musterstadt-a"}
    assert frame["case_id"].n_unique() == 5
    result = selectors.process_map(user=coordinator_a, log_filter=LogFilter())
    assert result.cases == 5
    # Asking for the other commune explicitly yields nothing, not B's data.
    other = selectors.platform_events(
        user=coordinator_a, log_filter=LogFilter(municipality_ids=[muni_b.pk])
    )
    assert other.height == 0


def test_project_team_sees_all_and_caseworker_nothing(procedures, project_team, caseworker_a):
    frame = selectors.platform_events(user=project_team, log_filter=LogFilter())
    assert frame["case_id"].n_unique() == 7
    assert selectors.platform_events(user=caseworker_a, log_filter=LogFilter()).height == 0
    assert not selectors.can_analyse(caseworker_a)


def test_platform_map_has_the_procedure_steps(procedures, coordinator_a):
    result = selectors.process_map(user=coordinator_a, log_filter=LogFilter(urgency="immediate"))
    assert result.cases == 3
    assert "Erstkontakt" in result.activities
    assert result.activities["Hausbesuch"] == 3
    edge = next(
        e for e in result.edges if (e["source"], e["target"]) == ("Erstkontakt", "Hausbesuch")
    )
    assert edge["count"] == 3 and edge["mean_seconds"] == 24 * 3600


def test_compliance_on_real_procedures(procedures, coordinator_a, muni_a, muni_b):
    ComplianceRuleFactory(municipality=muni_a, name="Erstkontakt 24 h", deadline_hours=24)
    ComplianceRuleFactory(municipality=muni_b, name="B-Regel", deadline_hours=1)
    results = selectors.compliance_report(user=coordinator_a, log_filter=LogFilter())
    names = [r["rule"].name for r in results]
    assert "B-Regel" not in names  # not B's rule
    assert {r["municipality"].slug for r in results} == {"musterstadt-a"}
    (custom,) = [r for r in results if r["rule"].name == "Erstkontakt 24 h"]
    assert (custom["met"], custom["missed"]) == (3, 2)
    assert custom["share_met"] == pytest.approx(0.6)
    # The case policy's own deadlines come first (one source with the due lists):
    # "sofort" means 2 hours by default, so the three immediate contacts after 5, 10 and
    # 20 hours all missed it; the 3-day contacts after 30 and 60 hours met theirs.
    by_urgency = {
        r["rule"].urgency: r
        for r in results
        if r["rule"].end_activity == "first_contact" and r["rule"].rule_id is None
    }
    assert (by_urgency["immediate"]["met"], by_urgency["immediate"]["missed"]) == (0, 3)
    assert (by_urgency["within_3_days"]["met"], by_urgency["within_3_days"]["missed"]) == (2, 0)


def test_the_analysis_reads_the_communes_current_policy(procedures, coordinator_a, muni_a):
    from cases import services as case_services

    case_services.case_policy_update(
        municipality=muni_a, actor=coordinator_a, first_contact_hours={"immediate": 12}
    )
    results = selectors.compliance_report(user=coordinator_a, log_filter=LogFilter())
    immediate = next(r for r in results if r["rule"].urgency == "immediate")
    assert immediate["rule"].deadline_hours == 12
    assert (immediate["met"], immediate["missed"]) == (2, 1)


def test_handovers_between_institutions(procedures, coordinator_a):
    report = selectors.handover_report(user=coordinator_a, log_filter=LogFilter())
    pairs = {(r["source"], r["target"]): r["count"] for r in report["rows"]}
    assert pairs[("ASD", "Polizei")] == 1
    assert "Polizei" in report["labels"]


def test_comparison_suppresses_small_counts(procedures, coordinator_a, muni_a, muni_b):
    ComplianceRuleFactory(municipality=muni_a, deadline_hours=24)
    rows = selectors.comparison_report(user=coordinator_a, municipalities=[muni_a, muni_b])
    a, b = rows
    # Published counts carry a keyed noise of at most ±2 (differencing protection).
    assert abs(a["cases"] - 5) <= COMPARISON_NOISE and not a["suppressed"]
    # Custom rule 3 of 5; policy: immediate 0 of 3, 3-day 2 of 2, assessment 0 of 5 —
    # 5 of 15, published from noisy counts.
    assert 0 <= a["compliance_share"] <= 1
    assert a["handovers_per_case"] is not None
    # Two procedures in B: only the fact of suppression is shown, no figure at all.
    assert b["suppressed"] and b["cases"] is None and b["median_days"] is None
    assert b["events_per_case"] is None and b["compliance_share"] is None


def test_comparison_needs_analytics_rights(procedures, caseworker_a, muni_a):
    with pytest.raises(PermissionDenied):
        selectors.comparison_report(user=caseworker_a, municipalities=[muni_a])


def test_adapter_with_a_monkeypatched_source(monkeypatch, coordinator_a):
    """The adapter's contract: dicts with the documented keys become an event frame."""
    rows = [
        {
            "case_id": "p1",
            "activity": "Meldung eingegangen",
            "activity_code": "report_received",
            "timestamp": dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC),
            "institution": "Kita",
            "institution_type": "daycare",
            "municipality": "musterstadt-a",
            "urgency": "immediate",
            "result": "",
        },
        {
            "case_id": "p1",
            "activity": "Erstkontakt",
            "activity_code": "first_contact",
            "timestamp": dt.datetime(2024, 1, 1, 13, tzinfo=dt.UTC),
            "institution": "ASD",
            "institution_type": "youth_office",
            "municipality": "musterstadt-a",
            "urgency": "immediate",
            "result": "",
        },
    ]
    seen = {}

    def fake_rows(**kwargs):
        seen.update(kwargs)
        return iter(rows)

    monkeypatch.setattr(selectors, "_platform_rows", fake_rows)
    since = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    frame = selectors.platform_events(user=coordinator_a, log_filter=LogFilter(since=since))
    assert seen["user"] is coordinator_a and seen["since"] == since
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert frame["activity_code"].to_list() == ["report_received", "first_contact"]


def test_frame_from_rows_handles_many_rows_in_chunks(monkeypatch):
    monkeypatch.setattr(selectors, "_ROWS_PER_CHUNK", 3)
    rows = [
        {
            "case_id": f"c{i // 2}",
            "activity": "A",
            "timestamp": dt.datetime(2024, 1, 1, i, tzinfo=dt.UTC),
        }
        for i in range(7)
    ]
    frame = selectors.frame_from_rows(iter(rows))
    assert frame.height == 7 and frame["case_id"].n_unique() == 4
    assert selectors.frame_from_rows(iter([])).height == 0


def test_comparison_rates_per_1000_minors_and_result_mix(
    coordinator_a, muni_a, muni_b, caseworker_a
):
    """§ 8a assessments of a year: rate from the registry's population, results mixed,
    small results withheld in pairs (the shares add up to 1)."""
    from cases.models import Procedure
    from cases.tests.factories import make_procedure
    from registry.models import PopulationCount

    team = team_with(muni_a, caseworker_a)
    year = timezone.localdate().year - 1
    signed = dt.datetime(year, 5, 1, 10, 0, tzinfo=dt.UTC)
    for result, n in (("latent", 12), ("acute", 8), ("need_of_help", 2), ("neither", 9)):
        for _ in range(n):
            p = make_procedure(team=team, actor=caseworker_a, received_at=signed)
            Procedure.objects.filter(pk=p.pk).update(result=result, result_at=signed)
    PopulationCount.objects.create(
        municipality=muni_a, year=year, age_from=0, age_to=17, sex="t", count=10_000
    )
    period = selectors.comparison_period(str(year))
    a, b = selectors.comparison_report(
        user=coordinator_a, municipalities=[muni_a, muni_b], period=period
    )
    assert abs(a["assessments"] - 31) <= 4 * COMPARISON_NOISE
    assert a["assessments_per_1000_minors"] == pytest.approx(a["assessments"] / 10, abs=0.01)
    assert a["population_year"] == year
    mix = a["result_mix"]
    assert mix["need_of_help"] is None  # 2 < 5
    assert mix["acute"] is None  # the next smallest goes too
    assert mix["latent"] is not None and 0 < mix["latent"] < 1
    # B has no assessments and no population: nothing to show, no rate.
    assert b["assessments"] is None and b["assessments_per_1000_minors"] is None
    # All time has no population year: no rate.
    (a_all,) = selectors.comparison_report(user=coordinator_a, municipalities=[muni_a])
    assert a_all["assessments_per_1000_minors"] is None and a_all["assessments"] is not None
