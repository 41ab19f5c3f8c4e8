"""A past date is shown as having taken place, not as still "geplant"."""

import datetime as dt

import pytest
import time_machine

from quality.tests.factories import WorkshopSessionFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_past_scheduled_session_reads_as_held_future_one_as_planned(muni_a):
    past = WorkshopSessionFactory(
        workshop__municipality=muni_a,
        starts_at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC),
    )
    future = WorkshopSessionFactory(
        workshop=past.workshop,
        starts_at=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
    )
    cancelled = WorkshopSessionFactory(
        workshop=past.workshop,
        starts_at=dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC),
        status="cancelled",
    )
    assert past.status_label == "fand statt"
    assert future.status_label == "geplant"
    assert cancelled.status_label == "abgesagt"
