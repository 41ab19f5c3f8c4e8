"""Evaluation results in the Bericht an den Jugendhilfeausschuss: counts and dimension
means per year, means only from rounds that reached their minimum of answers."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.report_sections import collect
from evaluation import selectors, services
from evaluation.tests.factories import InvitationFactory, RoundFactory

pytestmark = pytest.mark.django_db
ANSWERS = (
    {"coop_a": "4", "err_a": "2"},
    {"coop_a": "5", "err_a": "3"},
    {"coop_a": "3", "err_a": "na"},  # "kann ich nicht beurteilen" counts in no mean
)


def _round_with_answers(municipality, closes_on: dt.date, answers, invited: int, prefix: str):
    evaluation_round = RoundFactory(
        municipality=municipality, opens_on=closes_on - dt.timedelta(days=30), closes_on=closes_on
    )
    for i in range(invited):
        InvitationFactory(round=evaluation_round, token=f"{prefix}-{i}", institution_type="school")
    for i, given in enumerate(answers):
        services.response_submit(
            token=f"{prefix}-{i}",
            answers=given,
            texts={},
            today=closes_on - dt.timedelta(days=1),
        )
    return evaluation_round


def test_section_compares_the_year_with_the_one_before(muni_a):
    _round_with_answers(muni_a, dt.date(2025, 11, 30), ANSWERS, invited=4, prefix="a25")
    _round_with_answers(muni_a, dt.date(2026, 11, 30), ANSWERS[:2], invited=5, prefix="a26")
    section = selectors.committee_report_section(municipality=muni_a, year=2026)
    rows = {label: (before, now) for label, before, now in section["rows"]}
    assert rows["Evaluationsrunden beendet"] == (1, 1)
    assert rows["Eingeladene Netzwerkmitglieder"] == (4, 5)
    assert rows["Antworten"] == (3, 2)
    assert rows["Rücklauf in %"] == (75, 40)
    # 2025 reached its minimum of 3: means (4+5+3)/3 and (2+3)/2; 2026 did not: no mean.
    assert rows["Mittelwert „Kooperation“"] == (4.0, None)
    assert rows["Mittelwert „Fehlerkultur“"] == (2.5, None)


def test_no_rounds_no_section_and_other_communes_do_not_count(muni_a, muni_b):
    _round_with_answers(muni_b, dt.date(2026, 6, 30), ANSWERS, invited=3, prefix="b26")
    assert selectors.committee_report_section(municipality=muni_a, year=2026) is None
    titles = [s.title for s in collect(municipality=muni_b, year=2026)]
    assert "Evaluation der Zusammenarbeit im Netzwerk" in titles
    assert "Evaluation der Zusammenarbeit im Netzwerk" not in [
        s.title for s in collect(municipality=muni_a, year=2026)
    ]
