"""/api/v1/analytics/: token auth, filters, commune isolation, documented shapes."""

import datetime as dt

import pytest
from django.utils import timezone

from analytics.tests.factories import ComplianceRuleFactory, procedure_with_steps
from cases.tests.factories import team_with
from core.services import api_token_create

pytestmark = pytest.mark.django_db


def _auth(user):
    token = api_token_create(user=user, name="test", actor=user)[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def procedure_a(muni_a, caseworker_a):
    return procedure_with_steps(
        team_with(muni_a, caseworker_a),
        received_at=timezone.now() - dt.timedelta(days=3),
        urgency="immediate",
        steps=[("first_contact", 30, "ASD"), ("home_visit", 40, "Kita")],
    )


def test_process_map_shape(client, coordinator_a, procedure_a):
    response = client.get("/api/v1/analytics/process-map", headers=_auth(coordinator_a))
    assert response.status_code == 200
    data = response.json()
    assert data["cases"] == 1 and data["activities"]["Erstkontakt"] == 1
    assert {"source", "target", "count", "mean_seconds", "median_seconds"} <= set(data["edges"][0])
    assert data["variants"][0]["count"] == 1 and data["start_activities"]
    assert data["end_activities"]


def test_token_is_required_and_other_commune_is_404(client, coordinator_b, muni_a):
    assert client.get("/api/v1/analytics/process-map").status_code == 401
    response = client.get(
        "/api/v1/analytics/variants",
        {"municipality": muni_a.slug},
        headers=_auth(coordinator_b),
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_caseworker_gets_403(client, caseworker_a, procedure_a):
    response = client.get("/api/v1/analytics/handovers", headers=_auth(caseworker_a))
    assert response.status_code == 403


def test_compliance_handovers_variants(client, coordinator_a, procedure_a, muni_a):
    ComplianceRuleFactory(municipality=muni_a, name="24 h", deadline_hours=24)
    headers = _auth(coordinator_a)
    results = client.get("/api/v1/analytics/compliance", headers=headers).json()
    (rule,) = [r for r in results if r["rule"]["name"] == "24 h"]
    assert rule["missed"] == 1
    assert rule["municipality"] == "musterstadt-a"
    # The case policy's first-contact deadline (2 h for "sofort") is reported as well.
    assert any(r["rule"]["name"].startswith("Meldung → Erstkontakt") for r in results)
    hand = client.get("/api/v1/analytics/handovers", headers=headers).json()
    # Steps without another institution are the Jugendamt's own.
    assert hand["labels"] == ["ASD", "Jugendamt", "Kita"]
    assert hand["matrix"] == [[0, 0, 1], [1, 0, 0], [0, 0, 0]]
    variants = client.get(
        "/api/v1/analytics/variants", {"urgency": "within_week"}, headers=headers
    ).json()
    assert variants["cases"] == 0


def test_comparison_is_aggregated_and_suppressed(client, coordinator_a, procedure_a, muni_b):
    response = client.get(
        "/api/v1/analytics/comparison",
        {"municipalities": "musterstadt-a,beispiel-b"},
        headers=_auth(coordinator_a),
    )
    rows = response.json()
    assert [r["municipality"] for r in rows] == ["beispiel-b", "musterstadt-a"]
    assert all(r["suppressed"] and r["cases"] is None for r in rows)
    bad = client.get("/api/v1/analytics/comparison", headers=_auth(coordinator_a))
    assert bad.status_code == 422


def test_invalid_filters_are_problems(client, coordinator_a):
    response = client.get(
        "/api/v1/analytics/process-map", {"min_frequency": 0}, headers=_auth(coordinator_a)
    )
    assert response.status_code == 422
    response = client.get(
        "/api/v1/analytics/process-map", {"since": "gestern"}, headers=_auth(coordinator_a)
    )
    assert response.status_code == 422


def test_time_between_two_activities(client, coordinator_a, coordinator_b, procedure_a):
    url = "/api/v1/analytics/time-between"
    query = {"source": "report_received", "target": "home_visit"}
    data = client.get(url, query, headers=_auth(coordinator_a)).json()
    assert data["source"] == "report_received" and data["count"] == 1
    assert data["mean"] == data["median"] == 40 * 3600
    by_name = client.get(
        url, {"source": "Erstkontakt", "target": "Hausbesuch"}, headers=_auth(coordinator_a)
    ).json()
    assert by_name["count"] == 1 and by_name["median"] == 10 * 3600
    # Another commune's coordinator sees none of commune A's cases.
    other = client.get(url, query, headers=_auth(coordinator_b)).json()
    assert other["count"] == 0 and other["mean"] is None
    missing = client.get(url, {"source": "report_received"}, headers=_auth(coordinator_a))
    assert missing.status_code == 422
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    blank = client.get(url, {"source": " ", "target": "x"}, headers=_auth(coordinator_a))
    assert blank.status_code == 422


def test_compliance_with_an_ad_hoc_deadline(client, coordinator_a, procedure_a):
    url = "/api/v1/analytics/compliance"
    query = {"start": "report_received", "end": "first_contact", "hours": 24}
    (result,) = client.get(url, query, headers=_auth(coordinator_a)).json()
    assert result["rule"]["deadline_hours"] == 24 and result["municipality"] is None
    assert (result["met"], result["missed"]) == (0, 1)  # first contact after 30 h
    relaxed = client.get(url, {**query, "hours": 48}, headers=_auth(coordinator_a)).json()
    assert (relaxed[0]["met"], relaxed[0]["missed"]) == (1, 0)
    incomplete = client.get(url, {"start": "report_received"}, headers=_auth(coordinator_a))
    assert incomplete.status_code == 422
    zero = client.get(url, {**query, "hours": 0}, headers=_auth(coordinator_a))
    assert zero.status_code == 422


def test_uploaded_log_on_time_between_and_compliance(client, coordinator_a, coordinator_b, muni_a):
    from analytics.tests.factories import processed_upload

    upload = processed_upload(muni_a, coordinator_a)
    code = str(upload.code)
    own = client.get(
        "/api/v1/analytics/time-between",
        {"log": code, "source": "Meldung", "target": "Prüfung gründlich"},
        headers=_auth(coordinator_a),
    )
    assert own.status_code == 200 and own.json()["count"] >= 1
    for url in ("/api/v1/analytics/time-between", "/api/v1/analytics/compliance"):
        other = client.get(
            url,
            {"log": code, "source": "a", "target": "b", "start": "a", "end": "b", "hours": 1},
            headers=_auth(coordinator_b),
        )
        assert other.status_code == 404
    rules_only = client.get(
        "/api/v1/analytics/compliance", {"log": code}, headers=_auth(coordinator_a)
    )
    assert rules_only.status_code == 422
    adhoc = client.get(
        "/api/v1/analytics/compliance",
        {"log": code, "start": "Meldung", "end": "Prüfung gründlich", "hours": 48},
        headers=_auth(coordinator_a),
    ).json()
    assert adhoc[0]["municipality"] == muni_a.slug and adhoc[0]["evaluated"] >= 1
    huge = client.get(
        "/api/v1/analytics/compliance",
        {"start": "a", "end": "b", "hours": 10**12},
        headers=_auth(coordinator_a),
    )
    assert huge.status_code == 422
