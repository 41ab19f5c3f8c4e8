"""Small display helpers for the analytics templates."""

from django import template

from analytics.rendering import format_duration

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as a German duration: 45 min, 5,2 h, 3,4 Tage."""
    return format_duration(seconds)


@register.filter
def percent(share: float | None) -> str:
    """A share 0–1 as a German percentage; a dash when withheld or empty."""
    if share is None:
        return "–"
    return f"{share * 100:.1f} %".replace(".", ",")
