"""The HTTP 500s the schemathesis run of the hostile audit found, one test per cause.

Each of these answered 500 before; now they are a 4xx problem+json (or a clean 200).
"""

import json

import pytest

from core.services import api_token_create
from quality.tests.factories import WorkshopFactory

PROBLEM = "application/problem+json"


def _auth(user):
    raw = api_token_create(user=user, name="t", actor=user)[1]
    return {"Authorization": f"Bearer {raw}"}


def _is_problem(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    return json.loads(response.content)


def test_case_list_year_beyond_the_calendar_is_422(client, caseworker_a):
    body = _is_problem(client.get("/api/v1/cases?year=14588", headers=_auth(caseworker_a)), 422)
    assert body["errors"][0]["field"] == "year"


def test_outcome_list_negative_offset_is_422(client, readonly_a):
    body = _is_problem(client.get("/api/v1/outcomes?offset=-5", headers=_auth(readonly_a)), 422)
    assert body["errors"][0]["field"] == "offset"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workshops/{big}",
        "/api/v1/workshops/{big}/sessions",
        "/api/v1/outcomes/{big}",
        "/api/v1/clusters/{big}",
        "/api/v1/evaluations/frameworks/{big}",
    ],
)
def test_integers_beyond_64_bit_are_not_a_server_error(client, readonly_a, path):
    response = client.get(path.format(big=2**70), headers=_auth(readonly_a))
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == PROBLEM


def test_series_with_invalid_time_checks_the_role_first(client, muni_a, readonly_a):
    workshop = WorkshopFactory(municipality=muni_a)
    payload = {"first": "2026-01-01", "until": "2026-06-30", "start_time": "99:99"}
    response = client.post(
        f"/api/v1/workshops/{workshop.pk}/sessions/series",
        payload,
        content_type="application/json",
        headers=_auth(readonly_a),
    )
    _is_problem(response, 403)


def test_series_with_invalid_time_is_422_for_the_coordinator(client, muni_a, coordinator_a):
    workshop = WorkshopFactory(municipality=muni_a)
    payload = {"first": "2026-01-01", "until": "2026-06-30", "start_time": "99:99"}
    response = client.post(
        f"/api/v1/workshops/{workshop.pk}/sessions/series",
        payload,
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    body = _is_problem(response, 422)
    assert body["errors"][0]["field"] == "start_time"
    assert not workshop.sessions.exists()


def test_pre_1900_date_times_come_back_without_local_mean_time(client, muni_a, coordinator_a):
    workshop = WorkshopFactory(municipality=muni_a)
    response = client.post(
        f"/api/v1/workshops/{workshop.pk}/sessions",
        {"starts_at": "1850-03-01T10:00:00", "ends_at": "1850-03-01T12:00:00"},
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    if response.status_code == 201:
        starts = response.json()["starts_at"]
        assert "+00:53" not in starts and ":28" not in starts[-6:]
    else:  # refusing a session in 1850 is just as fine, as long as it is a problem
        _is_problem(response, 422)


def test_encoder_turns_local_mean_time_into_utc():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.api import _Encoder

    lmt = dt.datetime(1850, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert json.dumps(lmt, cls=_Encoder) == '"1850-03-01T09:06:32Z"'
    cet = dt.datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert json.dumps(cet, cls=_Encoder) == '"2024-03-01T10:00:00+01:00"'
