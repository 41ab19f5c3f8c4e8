"""Small display helpers for the analytics templates."""

from django import template
from django.utils.formats import number_format

from analytics.rendering import format_duration

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as a duration in the active language: 45 min, 5,2 h, 3,4 Tage."""
    return format_duration(seconds)


@register.filter
def percent(share: float | None) -> str:
    """A share 0–1 as a percentage in the active locale (97,9 % / 97.9 %); a dash if empty."""
    if share is None:
        return "–"
    # number_format cuts digits off; round first so that 97.89… shows as 97.9.
    return f"{number_format(round(share * 100, 1), 1)} %"
