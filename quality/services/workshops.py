"""Workshops, their sessions (single and series) and agenda items."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, changed_only, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from quality.choices import (
    RegistrationStatus,
    SessionStatus,
    WorkshopKind,
)
from quality.models import (
    AgendaItem,
    DevelopmentInterest,
    Topic,
    Workshop,
    WorkshopSession,
)
from quality.services.registrations import _mail, _promote_waiting

if TYPE_CHECKING:
    from registry.models import Cluster, Municipality


# --------------------------------------------------------------------------------------
# Workshops and their sessions
# --------------------------------------------------------------------------------------


def workshop_create(
    *,
    municipality: Municipality,
    title: str,
    actor: Any,
    kind: str = WorkshopKind.WORKSHOP,
    cluster: Cluster | None = None,
    default_place: str = "",
    capacity: int = 30,
    description: str = "",
) -> Workshop:
    """Create a workshop (or cluster-wide event) hosted by ``municipality``.

    The cluster defaults to the host's own, so partner communes see it at once.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    workshop = Workshop(
        municipality=municipality,
        cluster=cluster if cluster is not None else municipality.cluster,
        kind=kind,
        title=title.strip(),
        default_place=default_place.strip(),
        capacity=capacity,
        description=description,
    )
    with transaction.atomic():
        save_created(workshop, actor=actor)
    return workshop


def workshop_update(*, workshop: Workshop, actor: Any, **changes: Any) -> Workshop:
    """Change title, place, capacity …; a larger capacity lets the waiting lists move up."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, workshop.municipality_id)
    allowed = {"title", "kind", "default_place", "capacity", "description"}
    if set(changes) - allowed:
        raise ValueError(f"not editable: {sorted(set(changes) - allowed)}")
    with transaction.atomic():
        before = serialize_for_audit(workshop)
        for name, value in changes.items():
            setattr(workshop, name, value)
        new = save_updated(workshop, actor=actor, before=before)
        if "capacity" in new:
            for session in workshop.sessions.filter(capacity=None, status=SessionStatus.SCHEDULED):
                _promote_waiting(session=session, actor=actor)
    return workshop


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``day`` plus ``months``, keeping the anchor day of month where the month allows."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def _same_weekday_in_month(year: int, month: int, *, weekday: int, nth: int, last: bool) -> date:
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    return date(year, month, days[-1] if last or nth > len(days) else days[nth - 1])


SERIES_MAX_SESSIONS = 60  # ten years of bi-monthly workshops


def session_series_dates(*, first: date, until: date, interval_months: int = 2) -> list[date]:
    """The dates of a series: every ``interval_months`` months from ``first`` to ``until``.

    A series keeps the weekday and its place in the month ("der zweite Mittwoch"), as
    workshop series are agreed: the same day of the month drifted onto Saturdays and
    Sundays. A first date in the last week of its month stays on the last such weekday.
    Each date counts from the first one, never from the previous date.
    """
    if interval_months < 1:
        raise ValidationError({"interval_months": _("Der Abstand muss mindestens 1 Monat sein.")})
    if until < first:
        raise ValidationError({"until": _("Das Ende der Reihe liegt vor dem ersten Termin.")})
    # One request creates all sessions in one transaction: an end in the year 6754 once
    # made 11,068 of them and stopped every other write. Checked before any date is made.
    months = (until.year - first.year) * 12 + until.month - first.month
    if months // interval_months + 1 > SERIES_MAX_SESSIONS:
        raise ValidationError(
            {
                "until": _(
                    "Eine Terminreihe hat höchstens %(max)d Termine; bitte ein früheres Ende "
                    "wählen."
                )
                % {"max": SERIES_MAX_SESSIONS}
            }
        )
    dates: list[date] = []
    nth = (first.day - 1) // 7 + 1
    last = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
    step = 0
    while True:
        try:
            month = add_months(first.replace(day=1), step * interval_months)
            day = _same_weekday_in_month(
                month.year, month.month, weekday=first.weekday(), nth=nth, last=last
            )
        except (ValueError, OverflowError):  # beyond the year 9999
            return dates
        if day > until:
            return dates
        dates.append(day)
        step += 1


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def workshop_schedule_series(
    *,
    workshop: Workshop,
    first: date,
    until: date,
    start_time: time,
    end_time: time,
    actor: Any,
    interval_months: int = 2,
    place: str = "",
) -> list[WorkshopSession]:
    """Create the bi-monthly sessions of a workshop (skipping days that already have one).

    Running it again with the same arguments creates nothing new, so a coordinator can
    extend a series by choosing a later end date.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, workshop.municipality_id)
    if end_time <= start_time:
        raise ValidationError({"end_time": _("Das Ende muss nach dem Beginn liegen.")})
    dates = session_series_dates(first=first, until=until, interval_months=interval_months)
    existing = {timezone.localtime(s.starts_at).date() for s in workshop.sessions.all()}
    created: list[WorkshopSession] = []
    with transaction.atomic():
        for day in dates:
            if day in existing:
                continue
            session = WorkshopSession(
                workshop=workshop,
                starts_at=_aware(day, start_time),
                ends_at=_aware(day, end_time),
                place=place or workshop.default_place,
            )
            save_created(session, actor=actor, related=workshop)
            created.append(session)
    return created


def session_add(
    *,
    workshop: Workshop,
    starts_at: datetime,
    ends_at: datetime,
    actor: Any,
    place: str = "",
    capacity: int | None = None,
) -> WorkshopSession:
    """Add a single extra session outside the series."""
    permissions.require(actor, permissions.ADD, permissions.QUALITY, workshop.municipality_id)
    session = WorkshopSession(
        workshop=workshop,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place or workshop.default_place,
        capacity=capacity,
        is_extra=True,
    )
    with transaction.atomic():
        save_created(session, actor=actor, related=workshop)
    return session


SESSION_EDITABLE_FIELDS = ("starts_at", "ends_at", "place", "capacity", "minutes")


def session_update(*, session: WorkshopSession, actor: Any, **changes: Any) -> WorkshopSession:
    """Edit date, place, capacity or minutes of one session.

    A changed date or place raises the iCalendar SEQUENCE so calendars update the event;
    more places move the waiting list up.
    """
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if set(changes) - set(SESSION_EDITABLE_FIELDS):
        raise ValueError(f"not editable: {sorted(set(changes) - set(SESSION_EDITABLE_FIELDS))}")
    with transaction.atomic():
        before = serialize_for_audit(session)
        for name, value in changes.items():
            setattr(session, name, value)
        session.full_clean()
        old, new = changed_only(before, serialize_for_audit(session))
        if {"starts_at", "ends_at", "place"} & set(new):
            session.sequence += 1
        session.save()
        if new:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=session,
                before=old,
                after=new,
                related=session.workshop,
            )
        if "capacity" in new:
            _promote_waiting(session=session, actor=actor)
    return session


def session_cancel(*, session: WorkshopSession, actor: Any, reason: str = "") -> WorkshopSession:
    """Cancel a session; everyone signed up or waiting is told by e-mail."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.is_cancelled:
        raise ValidationError(_("Der Termin ist bereits abgesagt."))
    with transaction.atomic():
        before = serialize_for_audit(session)
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason
        session.sequence += 1
        save_updated(
            session,
            actor=actor,
            before=before,
            clean=False,
            reason=reason,
            related=session.workshop,
        )
        recipients = list(
            session.registrations.filter(
                status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            _mail(
                template="quality/mail/session_cancelled.txt",
                context={"session": session, "reason": reason},
                to=recipients,
            )
    return session


def agenda_item_add(
    *,
    session: WorkshopSession,
    title: str,
    actor: Any,
    interest: DevelopmentInterest | None = None,
    topic: Topic | None = None,
    duration_minutes: int | None = None,
) -> AgendaItem:
    """Add an agenda item, optionally linked to an interest or central topic of the host."""
    host = session.workshop.municipality_id
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, host)
    for linked in (interest, topic):
        if linked is not None and linked.municipality_id != host:
            raise ValidationError(
                _("Interessen und Themen müssen zur ausrichtenden Kommune gehören.")
            )
    last = session.agenda.order_by("-position").values_list("position", flat=True).first()
    item = AgendaItem(
        session=session,
        title=title.strip() or str(interest or topic or ""),
        interest=interest,
        topic=topic,
        duration_minutes=duration_minutes,
        position=(last + 1) if last is not None else 0,
    )
    with transaction.atomic():
        save_created(item, actor=actor, related=session)
    return item


def agenda_item_delete(*, item: AgendaItem, actor: Any) -> None:
    """Remove an agenda item."""
    session = item.session
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=item,
            before=serialize_for_audit(item),
            related=session,
        )
        item.delete()
