"""The comparison's suppression cannot be undone by differencing (issue 14, finding 12).

The attack of the audit: ask for two date ranges one day apart and subtract; the
difference was the suppressed day's 4 cases. Now only whole periods are offered and
every count carries a keyed noise of at most ±COMPARISON_NOISE. The proof below plays
the attacker with every query the API allows and computes which values of the
suppressed month are still consistent with all answers: more than one must remain.
"""

import datetime as dt
import itertools

import pytest

from analytics import selectors
from analytics.constants import COMPARISON_NOISE, SUPPRESSION_THRESHOLD
from core.services import api_token_create

# Cases per month of 2024 in commune A; March is the small cell (4 cases).
PER_MONTH = {1: 9, 2: 7, 3: 4, 4: 8, 5: 6, 6: 11, 7: 5, 8: 7, 9: 9, 10: 6, 11: 8, 12: 10}
SECRET_MONTH = 3


def _rows():
    rows = []
    for month, count in PER_MONTH.items():
        for n in range(count):
            start = dt.datetime(2024, month, 10, 9, tzinfo=dt.UTC) + dt.timedelta(hours=n)
            for step, (activity, hours) in enumerate((("Meldung", 0), ("Erstkontakt", 20))):
                rows.append(
                    {
                        "case_id": f"{month}-{n}",
                        "activity": activity,
                        "activity_code": f"a{step}",
                        "timestamp": start + dt.timedelta(hours=hours),
                        "institution": "ASD",
                        "institution_type": "youth_office",
                        "municipality": "musterstadt-a",
                        "urgency": "",
                        "result": "",
                    }
                )
    return rows


@pytest.fixture
def source(monkeypatch):
    rows = _rows()

    def fake_rows(*, user, municipality_ids, since, until):
        # Like the real adapter: a case belongs to the period of its events.
        return [
            r
            for r in rows
            if (since is None or r["timestamp"] >= since)
            and (until is None or r["timestamp"] < until)
        ]

    monkeypatch.setattr(selectors, "_platform_rows", fake_rows)


def _cases(user, muni, period):
    row = selectors.comparison_report(
        user=user, municipalities=[muni], period=selectors.comparison_period(period)
    )[0]
    return row["cases"]  # None when suppressed


def _march_candidates(user, muni, noise):
    """Every March value consistent with all answers, for an attacker knowing ``noise``."""
    periods = ["", "2024"] + [f"2024-Q{q}" for q in range(1, 5)]
    periods += [f"2024-{m:02d}" for m in range(1, 13)]
    answers = {p: _cases(user, muni, p) for p in periods}
    assert answers[f"2024-{SECRET_MONTH:02d}"] is None  # suppressed on its own

    # The attacker knows the rules: a published count is within ±noise of the truth and
    # a month that was published has at least the threshold, a suppressed one less.
    # Which March values are jointly consistent with every answer? (Exact: the quarters
    # are enumerated, the year and all time checked against every sum of quarter sums.)
    ranges = {}
    for month in PER_MONTH:
        published = answers[f"2024-{month:02d}"]
        if month == SECRET_MONTH:
            ranges[month] = range(SUPPRESSION_THRESHOLD)
        else:
            low = max(published - noise, SUPPRESSION_THRESHOLD)
            ranges[month] = range(low, published + noise + 1)

    def quarter_sums(quarter, march):
        months = range(3 * quarter - 2, 3 * quarter + 1)
        options = [[march] if m == SECRET_MONTH else ranges[m] for m in months]
        published = answers[f"2024-Q{quarter}"]
        return {sum(c) for c in itertools.product(*options) if abs(sum(c) - published) <= noise}

    def consistent(march):
        sums = [quarter_sums(q, march) for q in range(1, 5)]
        return any(
            abs(sum(c) - answers["2024"]) <= noise and abs(sum(c) - answers[""]) <= noise
            for c in itertools.product(*sums)
        )

    return [v for v in range(SUPPRESSION_THRESHOLD) if consistent(v)]


def test_suppressed_month_cannot_be_recomputed_from_overlapping_periods(
    source, coordinator_a, muni_a
):
    candidates = _march_candidates(coordinator_a, muni_a, COMPARISON_NOISE)
    assert PER_MONTH[SECRET_MONTH] in candidates  # the truth is among them, of course
    assert len(candidates) >= 2, f"March recomputable: {candidates}"


def test_without_noise_the_same_attack_would_succeed(source, coordinator_a, muni_a, monkeypatch):
    # The proof above has teeth: whole periods alone are not enough.
    monkeypatch.setattr(selectors, "COMPARISON_NOISE", 0)
    assert _march_candidates(coordinator_a, muni_a, 0) == [PER_MONTH[SECRET_MONTH]]


def test_the_naive_difference_of_year_and_other_months_is_not_the_truth_by_design(
    source, coordinator_a, muni_a
):
    # Without noise this difference would be exactly 4; with it, the attacker gets a
    # number but cannot know whether it is right (see the test above for the proof).
    year = _cases(coordinator_a, muni_a, "2024")
    months = [_cases(coordinator_a, muni_a, f"2024-{m:02d}") for m in PER_MONTH]
    assert months[SECRET_MONTH - 1] is None
    published = [n for n in months if n is not None]
    assert all(
        abs(p - t) <= COMPARISON_NOISE
        for p, t in zip(
            published, [v for k, v in PER_MONTH.items() if k != SECRET_MONTH], strict=True
        )
    )
    assert year is not None and abs(year - sum(PER_MONTH.values())) <= COMPARISON_NOISE


def test_same_question_gives_the_same_answer(source, coordinator_a, muni_a):
    assert _cases(coordinator_a, muni_a, "2024-Q2") == _cases(coordinator_a, muni_a, "2024-Q2")


def test_free_date_ranges_are_refused_by_the_api(client, source, coordinator_a, muni_a):
    raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)[1]
    headers = {"Authorization": f"Bearer {raw}"}
    # The audit's attack: two ranges one day apart.
    for until in ("2024-03-09", "2024-03-10"):
        response = client.get(
            "/api/v1/analytics/comparison",
            {"municipalities": muni_a.slug, "since": "2024-01-01", "until": until},
            headers=headers,
        )
        assert response.status_code == 422
        assert "ganze Zeiträume" in response.json()["detail"]
    ok = client.get(
        "/api/v1/analytics/comparison",
        {"municipalities": muni_a.slug, "period": "2024-Q2"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()[0]["period"] == "2024-Q2"
    bad = client.get(
        "/api/v1/analytics/comparison",
        {"municipalities": muni_a.slug, "period": "2024-03-10"},
        headers=headers,
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", (2024, 1, 1), (2025, 1, 1)),
        ("2024-Q4", (2024, 10, 1), (2025, 1, 1)),
        ("2024-02", (2024, 2, 1), (2024, 3, 1)),
        ("2024-12", (2024, 12, 1), (2025, 1, 1)),
    ],
)
def test_periods_are_whole_calendar_periods_in_local_time(text, start, end):
    period = selectors.comparison_period(text)
    assert period.since.timetuple()[:3] == start and period.until.timetuple()[:3] == end
    assert str(period.since.tzinfo) == "Europe/Berlin"


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "24", "2024-01-01", "0001"])
def test_other_period_texts_are_refused(text):
    with pytest.raises(ValueError):
        selectors.comparison_period(text)
