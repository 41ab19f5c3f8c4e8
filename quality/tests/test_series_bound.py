"""One request cannot make the server create thousands of sessions (issue 14, finding 4)."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from core.services import api_token_create
from quality.models import WorkshopSession
from quality.services import workshops as workshop_services
from quality.tests.factories import WorkshopFactory


def test_series_until_the_year_6754_is_refused_before_anything_is_created(
    client, muni_a, coordinator_a
):
    workshop = WorkshopFactory(municipality=muni_a)
    raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)[1]
    response = client.post(
        f"/api/v1/workshops/{workshop.pk}/sessions/series",
        {"first": "2026-01-01", "until": "6754-06-14"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "höchstens 60" in response.json()["detail"]
    assert not WorkshopSession.objects.exists()


def test_series_of_the_maximum_is_allowed_and_a_longer_one_is_not():
    limit = workshop_services.SERIES_MAX_SESSIONS
    dates = workshop_services.session_series_dates(
        first=date(2026, 1, 1), until=date(2026 + (limit - 1) * 2 // 12, 12, 31)
    )
    assert 0 < len(dates) <= limit
    with pytest.raises(ValidationError, match="höchstens"):
        workshop_services.session_series_dates(
            first=date(2026, 1, 15), until=date(2026 + limit * 2 // 12, 1, 15)
        )


def test_series_at_the_end_of_the_calendar_stops_instead_of_failing():
    dates = workshop_services.session_series_dates(
        first=date(9999, 11, 1), until=date(9999, 12, 31), interval_months=1
    )
    assert dates[0] == date(9999, 11, 1) and len(dates) == 2


def test_schedule_service_refuses_a_long_series(coordinator_a, muni_a):
    workshop = WorkshopFactory(municipality=muni_a)
    with pytest.raises(ValidationError):
        workshop_services.workshop_schedule_series(
            workshop=workshop,
            first=date(2026, 1, 1),
            until=date(2100, 1, 1),
            start_time=time(9, 30),
            end_time=time(13),
            actor=coordinator_a,
        )
    assert not workshop.sessions.exists()
