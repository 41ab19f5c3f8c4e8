"""Scoped reads of the quality app: workshops, sessions, outcomes, participation."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core import permissions
from quality.choices import OutcomeScope, OutcomeStatus, RegistrationStatus, SessionStatus
from quality.models import Outcome, OutcomeTransition, Registration, Workshop, WorkshopSession
from registry.models import Cluster, Municipality
from registry.taxonomy import get_institution_type, kkg_gaps

NOT_FOUND = "Nicht gefunden."


def workshop_list_for_user(*, user: Any, kind: str = "") -> QuerySet[Workshop]:
    """Workshops the user may see: host commune, its cluster's partners, project team."""
    qs = (
        Workshop.objects.visible_to(user)
        .select_related("municipality", "cluster")
        .annotate(
            session_count=Count(
                "sessions", filter=Q(sessions__status=SessionStatus.SCHEDULED), distinct=True
            )
        )
        .order_by("cluster__number", "municipality__name", "title")
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def workshop_get_for_user(*, user: Any, pk: int) -> Workshop:
    """One workshop, 404 if it doesn't exist or isn't the user's to see."""
    workshop = (
        Workshop.objects.visible_to(user)
        .select_related("municipality", "cluster")
        .filter(pk=pk)
        .first()
    )
    if workshop is None:
        raise Http404(NOT_FOUND)
    return workshop


def session_get_for_user(*, user: Any, pk: int) -> WorkshopSession:
    session = (
        WorkshopSession.objects.select_related("workshop__municipality", "workshop__cluster")
        .filter(pk=pk, workshop__in=Workshop.objects.visible_to(user))
        .first()
    )
    if session is None:
        raise Http404(NOT_FOUND)
    return session


def can_manage_workshop(*, user: Any, workshop: Workshop) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, workshop.municipality_id
    )


def session_list(*, workshop: Workshop) -> list[WorkshopSession]:
    return list(
        workshop.sessions.annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
        ).order_by("starts_at")
    )


def registrations_for_session(*, session: WorkshopSession) -> list[Registration]:
    return list(
        session.registrations.select_related("institution", "user").order_by(
            "status", "queued_at", "id"
        )
    )


def sessions_for_person(*, user: Any) -> QuerySet[WorkshopSession]:
    """Sessions the person signed up for or waits for (their personal calendar)."""
    lookup = Q(registrations__user=user)
    if user.email:
        lookup |= Q(registrations__email__iexact=user.email)
    return (
        WorkshopSession.objects.filter(lookup)
        .filter(
            registrations__status__in=[
                RegistrationStatus.REGISTERED,
                RegistrationStatus.WAITLISTED,
                RegistrationStatus.INVITED,
            ]
        )
        .select_related("workshop__municipality")
        .distinct()
        .order_by("starts_at")
    )


# --- outcomes ---------------------------------------------------------------------------


def outcome_list_for_user(
    *,
    user: Any,
    municipality: Municipality | None = None,
    cluster: Cluster | None = None,
    status: str = "",
    scope: str = "",
) -> QuerySet[Outcome]:
    qs = Outcome.objects.visible_to(user).select_related("municipality", "owner_institution")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if cluster is not None:
        qs = qs.filter(municipality__cluster=cluster)
    if status:
        qs = qs.filter(status=status)
    if scope:
        qs = qs.filter(scope=scope)
    return qs.order_by("municipality__name", "scope", "position", "id")


def outcome_get_for_user(*, user: Any, pk: int) -> Outcome:
    outcome = (
        Outcome.objects.visible_to(user)
        .select_related("municipality__cluster", "owner_institution", "parent")
        .filter(pk=pk)
        .first()
    )
    if outcome is None:
        raise Http404(NOT_FOUND)
    return outcome


def can_change_outcome(*, user: Any, outcome: Outcome) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, outcome.municipality_id
    )


BOARD_COLUMNS = (
    OutcomeStatus.PLANNED,
    OutcomeStatus.IN_PROGRESS,
    OutcomeStatus.ACHIEVED,
    OutcomeStatus.DISCARDED,
)


@dataclass
class BoardColumn:
    status: str
    label: str
    outcomes: list[Outcome] = field(default_factory=list)


def outcome_board(*, outcomes: QuerySet[Outcome]) -> list[BoardColumn]:
    """Outcomes grouped by status in lifecycle order (top-level items only)."""
    columns = {s: BoardColumn(str(s), str(OutcomeStatus(s).label)) for s in BOARD_COLUMNS}
    for outcome in outcomes.filter(parent=None):
        columns[outcome.status].outcomes.append(outcome)
    return list(columns.values())


def outcome_progress(*, outcomes: QuerySet[Outcome]) -> dict[str, Any]:
    """Counts by status, by scope and the number achieved per quarter (over time)."""
    top = outcomes.filter(parent=None)
    by_status = Counter(dict(top.values_list("status").annotate(n=Count("id")).order_by()))
    by_scope = Counter(dict(top.values_list("scope").annotate(n=Count("id")).order_by()))
    today = timezone.localdate()
    overdue = top.filter(
        due_date__lt=today, status__in=[OutcomeStatus.PLANNED, OutcomeStatus.IN_PROGRESS]
    ).count()
    total = sum(by_status.values())
    achieved_quarters: Counter[str] = Counter()
    for when in top.filter(status=OutcomeStatus.ACHIEVED).values_list(
        "status_changed_at", flat=True
    ):
        if when is not None:
            local = timezone.localtime(when)
            achieved_quarters[f"{local.year}-Q{(local.month - 1) // 3 + 1}"] += 1
    return {
        "total": total,
        "by_status": [(str(OutcomeStatus(s).label), s, by_status.get(s, 0)) for s in BOARD_COLUMNS],
        "by_scope": [(str(s.label), s.value, by_scope.get(s.value, 0)) for s in OutcomeScope],
        "overdue": overdue,
        "achieved_share": round(100 * by_status.get(OutcomeStatus.ACHIEVED, 0) / total)
        if total
        else 0,
        "achieved_over_time": sorted(achieved_quarters.items()),
    }


# --- participation ---------------------------------------------------------------------


@dataclass
class Participation:
    sessions: list[WorkshopSession]
    type_rows: list[tuple[str, list[int]]]  # (type label, attendees per session)
    totals: list[int]
    institutions_per_session: list[int]
    stability: list[float | None]  # Jaccard of the institutions with the previous session
    core_institutions: list[str]
    gaps: list[Any]  # § 3 KKG categories that never came
    never_attended_types: list[str] = field(default_factory=list)


def participation_over_time(*, workshop: Workshop, until: date | None = None) -> Participation:
    """Who came to which past session, how stable the group is and who never came."""
    now = timezone.now()
    sessions = list(
        workshop.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__lte=now)
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(attended=True).select_related("institution"),
                to_attr="present",
            )
        )
        .order_by("starts_at")
    )
    per_type: dict[str, list[int]] = defaultdict(lambda: [0] * len(sessions))
    institution_sets: list[set[int]] = []
    totals: list[int] = []
    attended_types: set[str] = set()
    institution_names: dict[int, str] = {}
    for index, session in enumerate(sessions):
        present = session.present
        totals.append(len(present))
        seen: set[int] = set()
        for registration in present:
            institution = registration.institution
            type_code = institution.institution_type if institution else "unclassified"
            attended_types.add(type_code)
            per_type[type_code][index] += 1
            if institution:
                seen.add(institution.pk)
                institution_names[institution.pk] = institution.name
        institution_sets.append(seen)
    stability: list[float | None] = [None]
    for previous, current in zip(institution_sets, institution_sets[1:], strict=False):
        union = previous | current
        stability.append(round(len(previous & current) / len(union), 2) if union else None)
    counts: Counter[int] = Counter()
    for seen in institution_sets:
        counts.update(seen)
    core = sorted(
        institution_names[pk]
        for pk, n in counts.items()
        if sessions and n >= max(1, round(len(sessions) / 2))
    )
    type_rows = sorted(
        ((str(get_institution_type(code).label), row) for code, row in per_type.items()),
        key=lambda pair: (-sum(pair[1]), pair[0]),
    )
    return Participation(
        sessions=sessions,
        type_rows=type_rows,
        totals=totals,
        institutions_per_session=[len(s) for s in institution_sets],
        stability=stability,
        core_institutions=core,
        gaps=kkg_gaps(attended_types),
    )


def invitation_get(*, token: Any) -> Registration:
    """The invitation behind a personal link; 404 for an unknown or retired link."""
    registration = (
        Registration.objects.select_related("session__workshop", "institution")
        .filter(invitation_token=token)
        .first()
    )
    if registration is None:
        raise Http404(NOT_FOUND)
    return registration


def due_items_for_user(*, user: Any, today: date) -> list:
    """Mein Bereich: the next workshop dates, overdue outcomes, past dates without minutes."""
    import datetime as dt

    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from core.inbox import DueItem

    if not permissions.municipality_ids_for(user, permissions.VIEW, permissions.QUALITY):
        return []
    items = []
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    sessions = (
        WorkshopSession.objects.visible_to(user)
        .filter(status=SessionStatus.SCHEDULED, starts_at__gte=start_of_today)
        .select_related("workshop__municipality")
        .order_by("starts_at")[:3]
    )
    items.extend(
        DueItem(
            kind="next_session",
            title=_("Nächster Termin: %(workshop)s (%(commune)s)")
            % {
                "workshop": session.workshop.title,
                "commune": session.workshop.municipality.name,
            },
            url=session.get_absolute_url(),
            when=timezone.localtime(session.starts_at),
        )
        for session in sessions
    )
    if permissions.municipality_ids_for(user, permissions.CHANGE, permissions.QUALITY):
        overdue = (
            Outcome.objects.visible_to(user, permissions.CHANGE)
            .filter(
                status__in=[OutcomeStatus.PLANNED, OutcomeStatus.IN_PROGRESS],
                due_date__lt=today,
            )
            .count()
        )
        if overdue:
            items.append(
                DueItem(
                    kind="overdue_outcomes",
                    title=ngettext(
                        "%(n)d Ergebnis ist überfällig",
                        "%(n)d Ergebnisse sind überfällig",
                        overdue,
                    )
                    % {"n": overdue},
                    url=reverse("quality:board"),
                    count=overdue,
                    overdue=True,
                )
            )
        without_minutes = (
            WorkshopSession.objects.visible_to(user, permissions.CHANGE)
            .filter(status=SessionStatus.SCHEDULED, ends_at__lt=start_of_today, minutes="")
            .count()
        )
        if without_minutes:
            items.append(
                DueItem(
                    kind="minutes_missing",
                    title=ngettext(
                        "%(n)d vergangener Termin ohne Protokoll",
                        "%(n)d vergangene Termine ohne Protokoll",
                        without_minutes,
                    )
                    % {"n": without_minutes},
                    url=reverse("quality:workshop_list"),
                    count=without_minutes,
                )
            )
    return items


def committee_report_section(*, municipality: Municipality, year: int) -> dict[str, Any] | None:
    """The commune's workshops in the Bericht an den Jugendhilfeausschuss (cases' hook):
    sessions held and results reached in the year and the year before (counts only)."""
    from django.utils.translation import gettext as _

    def figures(y: int) -> tuple[int, int, int]:
        import datetime as dt

        tz = timezone.get_current_timezone()
        start = dt.datetime(y, 1, 1, tzinfo=tz)
        end = min(dt.datetime(y + 1, 1, 1, tzinfo=tz), timezone.now())
        sessions = WorkshopSession.objects.filter(
            workshop__municipality=municipality,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
        ).count()
        transitions = OutcomeTransition.objects.filter(
            outcome__municipality=municipality, at__gte=start, at__lt=end
        )
        reached = (
            transitions.filter(to_status=OutcomeStatus.ACHIEVED)
            .values("outcome_id")
            .distinct()
            .count()
        )
        started = (
            transitions.filter(to_status=OutcomeStatus.IN_PROGRESS)
            .values("outcome_id")
            .distinct()
            .count()
        )
        return sessions, reached, started

    before, now = figures(year - 1), figures(year)
    if not any(before) and not any(now):
        return None
    labels = (
        _("Termine der Qualitätsentwicklungswerkstatt und Fachtage"),
        _("Ergebnisse/Maßnahmen erreicht"),
        _("Ergebnisse/Maßnahmen in Umsetzung genommen"),
    )
    return {
        "title": _("Qualitätsentwicklungswerkstatt"),
        "rows": [(label, b, n) for label, b, n in zip(labels, before, now, strict=True)],
        "note": _("Gezählt nach Termin bzw. Statuswechsel im Jahr."),
    }
