"""The review's timeline is in date order, whatever order episodes were entered in."""

import datetime as dt

import pytest

from reviews import selectors
from reviews.tests.factories import CaseReviewFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


def test_timeline_is_in_date_order_with_undated_episodes_last(muni_a):
    review = CaseReviewFactory(municipality=muni_a)
    EpisodeFactory(review=review, title="Hausbesuch", occurred_on=dt.date(2025, 3, 4), position=0)
    EpisodeFactory(review=review, title="ohne Datum", occurred_on=None, position=1)
    EpisodeFactory(review=review, title="Meldung", occurred_on=dt.date(2025, 2, 1), position=5)
    EpisodeFactory(
        review=review, title="Fallkonferenz", occurred_on=dt.date(2025, 3, 4), position=3
    )
    titles = [e.title for e in selectors.review_detail(review=review)["episodes"]]
    assert titles == ["Meldung", "Hausbesuch", "Fallkonferenz", "ohne Datum"]
