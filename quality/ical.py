"""iCalendar (RFC 5545) feeds of workshop sessions, for Outlook and Thunderbird."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from quality.models import WorkshopSession

PRODID = "-//Kinderschutz-QM//Qualitaetsentwicklung//DE"


def sessions_to_ical(*, sessions: Iterable[WorkshopSession], name: str, host: str) -> bytes:
    """One VEVENT per session; cancelled ones stay in the feed as STATUS:CANCELLED.

    A stable UID and a growing SEQUENCE let calendar clients update or cancel the event
    they already have instead of duplicating it.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    stamp = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.uid}@{host}")
        event.add("dtstamp", stamp)
        # UTC times: valid without a VTIMEZONE block and understood by every client.
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", session.workshop.title)
        if session.place:
            event.add("location", session.place)
        description = [str(session.workshop.get_kind_display())]
        agenda = [item.title for item in session.agenda.all()]
        if agenda:
            description.append("Tagesordnung:\n" + "\n".join(f"- {t}" for t in agenda))
        event.add("description", "\n\n".join(description))
        event.add("sequence", session.sequence)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        event.add("last-modified", session.updated_at)
        cal.add_component(event)
    return cal.to_ical()
