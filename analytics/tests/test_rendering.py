"""Duration and percentage labels follow the active language."""

import pytest
from django.utils import translation

from analytics.rendering import format_duration
from analytics.templatetags.analytics_tags import percent


@pytest.mark.parametrize(
    ("language", "seconds", "expected"),
    [
        ("de", 45 * 60, "45 min"),
        ("de", 5.2 * 3600, "5,2 h"),
        ("de", 3.4 * 86400, "3,4 Tage"),
        ("en", 5.2 * 3600, "5.2 h"),
        ("en", 3.4 * 86400, "3.4 days"),
        ("en", None, "–"),
    ],
)
def test_duration_labels(language, seconds, expected):
    with translation.override(language):
        assert format_duration(seconds) == expected


def test_percent_uses_the_locale_decimal_separator():
    with translation.override("de"):
        assert percent(0.979) == "97,9 %"
    with translation.override("en"):
        assert percent(0.979) == "97.9 %"
    assert percent(None) == "–"
