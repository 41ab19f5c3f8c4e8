"""Fixtures of the reviews tests: an empty rate-limit cache and no minimum fill time."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache_and_fast_forms(settings):
    cache.clear()
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 0
    yield
    cache.clear()
