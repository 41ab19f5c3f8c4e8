"""Personal calendar feeds (secret iCal addresses)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from quality.models import (
    CalendarFeed,
)


def calendar_feed_for(*, user: Any) -> CalendarFeed:
    """The person's secret feed address (created on first use)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_renew(*, user: Any) -> CalendarFeed:
    """A new secret address, e.g. after the old one was shared by mistake."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user)
