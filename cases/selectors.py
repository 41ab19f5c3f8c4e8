"""Scoped reads of § 8a procedures: the chokepoints, the lists, the event log.

``procedure_get_for_user`` is the ONLY way views and the API obtain a procedure. It writes
an ``AccessLog`` row on every read — the one sanctioned write in a selector (STYLE §7.5).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from cases.choices import (
    ActivityCode,
    ProcedureStatus,
    SignOffRequestStatus,
    StatisticResult,
    Urgency,
)
from cases.models import (
    Procedure,
    ProcedureEvent,
    RiskAssessment,
    SignOffRequest,
    Team,
    case_team_condition,
    case_teams_of,
)
from core import crypto, permissions
from core.audit import access_log_record

NOT_FOUND = "Verfahren nicht gefunden."
JUGENDAMT_LABEL = "Jugendamt"
JUGENDAMT_TYPE = "youth_office"


def procedures_for_user(*, user: Any, action: str = permissions.VIEW) -> QuerySet[Procedure]:
    """Procedures the user may open: case role in the commune AND member of the team."""
    return Procedure.objects.for_case_team(user, action)


def teams_for_user(*, user: Any) -> QuerySet[Team]:
    """Teams the user belongs to in communes where they hold a case role."""
    allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.CASES)
    if allowed == permissions.ALL:
        return Team.objects.all()
    if not allowed:
        return Team.objects.none()
    return Team.objects.filter(municipality_id__in=allowed, memberships__user=user).distinct()


def _parse_code(code: Any) -> uuid.UUID:
    try:
        return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except (TypeError, ValueError, AttributeError):
        raise Http404(NOT_FOUND) from None


def procedure_get_for_user(*, user: Any, code: Any, purpose: str) -> Procedure:
    """THE chokepoint: the procedure if ``user`` may open it, else 404; logs the read.

    "Not found" and "not yours" look the same. ``purpose`` lands in the read log that the
    commune's data-protection officer reviews.
    """
    parsed = _parse_code(code)
    procedure = (
        procedures_for_user(user=user)
        .select_related("team", "child", "municipality")
        .filter(code=parsed)
        .first()
    )
    if procedure is None:
        raise Http404(NOT_FOUND)
    access_log_record(
        actor=user, target=procedure, municipality_id=procedure.municipality_id, purpose=purpose
    )
    return procedure


def assessment_get_for_user(*, user: Any, code: Any, purpose: str) -> RiskAssessment:
    """A risk assessment through the procedure chokepoint (logs the read of its procedure)."""
    parsed = _parse_code(code)
    procedure_code = (
        RiskAssessment.objects.filter(code=parsed).values_list("procedure__code", flat=True).first()
    )
    if procedure_code is None:
        raise Http404(NOT_FOUND)
    procedure = procedure_get_for_user(user=user, code=procedure_code, purpose=purpose)
    assessment = procedure.assessments.select_related("author", "signed_by").get(code=parsed)
    assessment.procedure = procedure
    return assessment


def procedure_events_for_review(*, user: Any, code: Any) -> list[ProcedureEvent]:
    """A procedure's events as a case-review timeline; same chokepoint, logs the read."""
    procedure = procedure_get_for_user(
        user=user, code=code, purpose="Fallanalyse: Zeitleiste der Verfahrensschritte"
    )
    return list(procedure.events.select_related("institution").order_by("occurred_at", "id"))


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The calendar year in local time, as aware datetimes (index-friendly range)."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def due_filter(*, now: dt.datetime, horizon: dt.timedelta) -> Q:
    """Procedures with a deadline not yet met that falls before ``now + horizon``."""
    limit = now + horizon
    return ~Q(status=ProcedureStatus.CLOSED) & (
        Q(first_contact_at__isnull=True, first_contact_due__lte=limit)
        | Q(result_at__isnull=True, assessment_due__lte=limit)
        | Q(feedback_due__isnull=False, feedback_at__isnull=True, feedback_due__lte=limit)
        | Q(safety_plan_reviewed_at__isnull=True, safety_plan_review_due__lte=limit)
        | Q(close_due__lte=limit)
    )


def close_overdue_filter(*, now: dt.datetime) -> Q:
    """Open procedures past the commune's closing deadline (Abschlussfrist)."""
    return ~Q(status=ProcedureStatus.CLOSED) & Q(close_due__lte=now)


def procedure_list(
    *,
    user: Any,
    status: str = "",
    due: str = "",
    year: int | None = None,
    result: str = "",
    team_id: int | None = None,
    q: str = "",
    now: dt.datetime | None = None,
    scope: CaseScope | None = None,
) -> QuerySet[Procedure]:
    """The case list: the user's teams' procedures, filtered; no identifying data needed.

    With ``scope`` (from :func:`case_scope_for_user` for the same user) the rows are
    limited by its ids, so a cache keyed on the scope holds exactly what was read.
    """
    if scope is None:
        qs = procedures_for_user(user=user)
    else:
        qs = Procedure.objects.filter(
            municipality_id__in=scope.municipality_ids, team_id__in=scope.team_ids
        )
    qs = qs.select_related("team", "child", "municipality")  # values() drops it again
    if status:
        qs = qs.filter(status=status)
    now = now or timezone.now()
    if due == "overdue":
        qs = qs.filter(due_filter(now=now, horizon=dt.timedelta(0)))
    elif due == "due":
        qs = qs.filter(due_filter(now=now, horizon=dt.timedelta(days=3)))
    elif due == "close":
        qs = qs.filter(close_overdue_filter(now=now))
    if year:
        start, end = year_bounds(year)
        qs = qs.filter(result_at__gte=start, result_at__lt=end)
    if result:
        qs = qs.filter(result=result)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if q:
        qs = qs.filter(file_number__icontains=q)
    return qs.order_by("-received_at", "-id")


@dataclass(frozen=True)
class CaseScope:
    """What the case list of one user may show, as plain ids (also a cache key part).

    ``municipality_ids``: communes where the user holds a case role (view); ``team_ids``:
    the user's case teams; ``can_add``: a team in a commune where the role may add.
    """

    municipality_ids: frozenset[int]
    team_ids: frozenset[int]
    can_add: bool

    @property
    def key(self) -> tuple:
        return (tuple(sorted(self.municipality_ids)), tuple(sorted(self.team_ids)))


def case_scope_for_user(*, user: Any) -> CaseScope:
    """The ids behind ``procedures_for_user`` and ``teams_for_user``, in one query.

    Same rules as the querysets: procedures of the user's teams in communes where a case
    role allows viewing; adding needs a team in a commune where the role allows adding.
    """
    viewable = permissions.municipality_ids_for(user, permissions.VIEW, permissions.CASES)
    addable = permissions.municipality_ids_for(user, permissions.ADD, permissions.CASES)
    if not viewable or not getattr(user, "is_authenticated", False):
        return CaseScope(frozenset(), frozenset(), False)
    teams = case_teams_of(user)
    if viewable == permissions.ALL:  # no role grants cases globally today; stay correct
        viewable = {municipality_id for _team, municipality_id in teams}
    can_add = any(addable == permissions.ALL or m in addable for _team, m in teams)
    return CaseScope(
        frozenset(viewable),
        frozenset(team for team, m in teams if m in viewable),
        can_add,
    )


def team_names(*, team_ids: Iterable[int]) -> dict[int, str]:
    """Names of the given teams (organisation, not case data), for the case list."""
    return dict(Team.objects.filter(pk__in=list(team_ids)).values_list("pk", "name"))


LIST_VALUES = (
    "code",
    "file_number",
    "team_id",
    "received_at",
    "urgency",
    "status",
    "result",
    *(field for _label, due, done in Procedure.DEADLINE_FIELDS for field in (due, done)),
)


def procedure_list_rows(
    procedures: Iterable[dict[str, Any]], *, now: dt.datetime, team_names: dict[int, str]
) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """The case list's rows as plain dicts, and the moment the first "überfällig" appears.

    Reads ``values(*LIST_VALUES)`` rows (no model instances; team names from
    ``team_names``, so that neither the page nor the paginator's count joins the teams);
    labels come from dicts built
    once per call in the active language, the next deadline from the same fields as
    :meth:`Procedure.deadlines`, and the link from one reversed prefix. The second value
    tells a cache when this rendering turns stale without any data change.
    """
    urgency = {value: str(label) for value, label in Urgency.choices}
    status = {value: str(label) for value, label in ProcedureStatus.choices}
    result = {value: str(label) for value, label in StatisticResult.choices}
    deadline_labels = [(str(label), due, done) for label, due, done in Procedure.DEADLINE_FIELDS]
    sample = uuid.UUID(int=0)
    prefix, suffix = reverse("cases:procedure_detail", args=[sample]).split(str(sample))
    local = timezone.localtime
    rows = []
    turns_stale: dt.datetime | None = None
    for p in procedures:
        deadline = None
        if p["status"] != ProcedureStatus.CLOSED:
            # The earliest unmet deadline; on a tie the first in overview order, as min().
            for label, due_field, done_field in deadline_labels:
                due = p[due_field]
                if due and p[done_field] is None and (deadline is None or due < deadline[1]):
                    deadline = (label, due)
        next_deadline = None
        if deadline is not None:
            label, due = deadline
            overdue = due < now
            if not overdue and (turns_stale is None or due < turns_stale):
                turns_stale = due
            next_deadline = (label, local(due).strftime("%d.%m.%Y %H:%M"), overdue)
        rows.append(
            {
                "url": f"{prefix}{p['code']}{suffix}",
                "file_number": p["file_number"],
                "team": team_names.get(p["team_id"], ""),
                "received": local(p["received_at"]).strftime("%d.%m.%Y %H:%M"),
                "urgency": urgency.get(p["urgency"], p["urgency"]),
                "status": status.get(p["status"], p["status"]),
                "result": result.get(p["result"], p["result"]),
                "deadline": next_deadline,
            }
        )
    return rows, turns_stale


def procedure_next_deadline(
    procedure: Procedure, now: dt.datetime | None = None
) -> tuple[str, dt.datetime, bool] | None:
    """The earliest unmet deadline of an open procedure: (label, due, overdue)."""
    if procedure.status == ProcedureStatus.CLOSED:
        return None
    now = now or timezone.now()
    open_ = [(label, due) for label, due, done in procedure.deadlines() if done is None and due]
    if not open_:
        return None
    label, due = min(open_, key=lambda r: r[1])
    return label, due, due < now


def statistics_queryset(
    *, user: Any, year: int, municipality_ids: list[int] | None = None
) -> QuerySet[Procedure]:
    """The year's assessed procedures for the federal statistic (aggregates only).

    A procedure counts in the year its risk assessment was signed (result set); the case
    list's year filter uses the same rule, so both reconcile.
    """
    qs = Procedure.objects.visible_to(user, permissions.EXPORT)
    start, end = year_bounds(year)
    qs = qs.filter(result_at__gte=start, result_at__lt=end).exclude(result="")
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return qs


def _typed_institution_label(institution_type: str) -> str:
    """What a global role sees instead of a typed institution name: its type."""
    from django.utils.translation import gettext as _

    from registry.taxonomy import get_institution_type

    try:
        label = str(get_institution_type(institution_type).label)
    except KeyError:
        label = _("Einrichtung")
    return _("%(type)s (Name nur in der Kommune)") % {"type": label}


def procedure_event_rows(
    *,
    user: Any,
    municipality_ids: list[int] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Iterator[dict]:
    """The event log for process analysis (issue 7): one dict per event, no identifying data.

    Visible: communes where ``user`` may view ANALYTICS (aggregated analysis by coordination
    and project team); a SystemActor sees all. Ordered by case, then time. ``case_id`` is
    a keyed pseudonym of the procedure (``core.crypto.analysis_pseudonym``): neither the
    Aktenzeichen nor the UUID code in the procedure's URL. ``since``/``until``
    filter on the event time (``since`` inclusive, ``until`` exclusive).
    """
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    qs = ProcedureEvent.objects.all()
    if allowed != permissions.ALL:
        if not allowed:
            return
        qs = qs.filter(procedure__municipality_id__in=allowed)
    if municipality_ids is not None:
        qs = qs.filter(procedure__municipality_id__in=municipality_ids)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    labels = {code: str(label) for code, label in ActivityCode.choices}
    # A name typed for the case (not chosen from the registry) may name a person ("Praxis
    # Dr. …"): the commune's own people see it, a global role (project team, platform
    # administration) sees the institution type instead; registry names are master data.
    hide_typed_names = allowed == permissions.ALL and not isinstance(user, permissions.SystemActor)
    rows = qs.order_by("procedure_id", "occurred_at", "id").values_list(
        "procedure__code",
        "activity_code",
        "occurred_at",
        "code",
        "institution_name",
        "institution_type",
        "procedure__municipality__slug",
        "procedure__urgency",
        "procedure__result",
        "institution__name",
    )
    # The institution named for the case is encrypted, bound to the event: opened here,
    # per row, so the analysis groups by the same names the case team documented.
    open_name = ProcedureEvent._meta.get_field("institution_name").open_for
    for (
        code,
        activity,
        occurred_at,
        event_code,
        inst,
        inst_type,
        slug,
        urgency,
        result,
        registry_name,
    ) in rows.iterator(chunk_size=5000):
        if not inst:
            # A step without another acting institution is the Jugendamt's own: naming it
            # makes the hand-over matrix show partner → insoFa → Jugendamt (issue 13).
            institution = JUGENDAMT_LABEL
        elif hide_typed_names:
            institution = registry_name or _typed_institution_label(inst_type)
        else:
            institution = open_name(event_code, inst)
        yield {
            "case_id": crypto.analysis_pseudonym("case", code),
            "activity": labels.get(activity, activity),
            "activity_code": activity,
            "timestamp": occurred_at,
            "institution": institution,
            "institution_type": inst_type or ("" if inst else JUGENDAMT_TYPE),
            "municipality": slug,
            "urgency": urgency,
            "result": result or "",
        }


def teams_of_municipality(*, municipality: Any) -> QuerySet[Team]:
    """A commune's teams with their members (for the coordination's settings page)."""
    return Team.objects.filter(municipality=municipality).prefetch_related("memberships__user")


def case_workers_of_municipality(*, municipality: Any) -> QuerySet:
    """People holding a case role in the commune: the only ones a team can usefully include."""
    from django.contrib.auth import get_user_model

    from core.models import Membership

    ids = Membership.objects.filter(
        municipality=municipality, role__in=["caseworker", "team_lead"]
    ).values_list("user_id", flat=True)
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "username")


def assessment_open_request(*, assessment: RiskAssessment) -> SignOffRequest | None:
    """The assessment's open sign-off request, if any (the caller already passed the
    chokepoint for the assessment)."""
    return (
        assessment.sign_off_requests.filter(status=SignOffRequestStatus.OPEN)
        .select_related("signer", "requested_by")
        .first()
    )


# A sign-off request's procedure (for case_team_condition).
THROUGH_ASSESSMENT = "assessment__procedure__"


def sign_off_requests_for_signer(*, user: Any) -> QuerySet[SignOffRequest]:
    """ "Warten auf meine Abzeichnung": open requests to ``user`` in procedures they may still
    open (a request to someone who left the team no longer shows). No identifying data."""
    return (
        SignOffRequest.objects.filter(
            case_team_condition(user, permissions.SIGN_OFF, via=THROUGH_ASSESSMENT),
            signer_id=getattr(user, "pk", None),
            status=SignOffRequestStatus.OPEN,
        )
        .select_related("assessment__procedure__team", "requested_by")
        .order_by("created_at", "id")
    )


def sign_off_requests_by_requester(*, user: Any) -> QuerySet[SignOffRequest]:
    """Requests ``user`` sent: open ones and the last answers (returned with a comment)."""
    return (
        SignOffRequest.objects.filter(
            case_team_condition(user, via=THROUGH_ASSESSMENT),
            requested_by_id=getattr(user, "pk", None),
        )
        .exclude(status=SignOffRequestStatus.WITHDRAWN)
        .select_related("assessment__procedure__team", "signer")
        .order_by("-created_at", "-id")[:50]
    )


def procedures_of_same_report(*, user: Any, procedure: Procedure) -> list[Procedure]:
    """The other children's procedures from the same Meldung that ``user`` may open."""
    return list(
        procedures_for_user(user=user)
        .filter(report_code=procedure.report_code)
        .exclude(pk=procedure.pk)
        .only("code", "file_number", "status")
        .order_by("file_number")
    )


def policy_deadline_rules(*, municipality_ids: list[int]) -> list[dict[str, Any]]:
    """The commune's deadlines (``CasePolicy``) as rules for the compliance analysis.

    One source of truth (issue 13): the same policy sets each procedure's due dates (the
    case team's due list) and, through this function, what the analysis counts as met.
    """
    from cases.choices import Urgency
    from cases.models import DEFAULT_STEP_DAYS, CasePolicy

    policies = {
        p.municipality_id: p
        for p in CasePolicy.objects.filter(municipality_id__in=municipality_ids)
    }
    rules = []
    for municipality_id in municipality_ids:
        policy = policies.get(municipality_id) or CasePolicy(municipality_id=municipality_id)
        for urgency in Urgency:
            hours = int(policy.first_contact_delta(urgency.value).total_seconds() // 3600)
            rules.append(
                {
                    "municipality_id": municipality_id,
                    "name": f"Meldung → Erstkontakt ({urgency.label}): {hours} Std.",
                    "start_activity": ActivityCode.REPORT_RECEIVED.value,
                    "end_activity": ActivityCode.FIRST_CONTACT.value,
                    "deadline_hours": hours,
                    "urgency": urgency.value,
                }
            )
        for activity in (ActivityCode.RISK_ASSESSMENT_SIGNED, ActivityCode.CLOSED):
            if activity.value not in DEFAULT_STEP_DAYS and activity.value not in policy.step_days:
                continue
            delta = policy.step_delta(activity.value)
            if delta is None:
                continue
            rules.append(
                {
                    "municipality_id": municipality_id,
                    "name": f"Meldung → {activity.label}: {delta.days} Tage",
                    "start_activity": ActivityCode.REPORT_RECEIVED.value,
                    "end_activity": activity.value,
                    "deadline_hours": delta.days * 24,
                    "urgency": "",
                }
            )
    return rules


def person_index_candidates(*, user: Any, procedure: Procedure) -> list[dict[str, Any]]:
    """Earlier procedures of the same child: persons of the commune's index whose blind
    index equals that of this procedure's child, with their procedures (dates, results,
    no content). Every person read is logged like a case read. The caller already passed
    the procedure chokepoint."""
    from cases import person_index
    from cases.models import IndexedPerson

    if procedure.indexed_child_id is not None:
        return []
    child = procedure.persons.filter(role="child").exclude(name="").exclude(birth_date="").first()
    if child is None:
        return []
    value = person_index.blind_index(
        municipality_id=procedure.municipality_id, name=child.name, birth_date=child.birth_date
    )
    out = []
    for person in IndexedPerson.objects.filter(
        municipality_id=procedure.municipality_id, blind_index=value
    ).select_related("household"):
        access_log_record(
            actor=user,
            target=person,
            municipality_id=procedure.municipality_id,
            purpose="Personenindex: Abgleich bei Meldung",
        )
        out.append({"person": person, "procedures": _index_procedures(person)})
    return out


def _index_procedures(person: Any) -> list[Procedure]:
    return list(
        Procedure.objects.filter(indexed_child=person)
        .select_related("team")
        .only("code", "file_number", "received_at", "status", "result", "team__name")
        .order_by("received_at")
    )


def person_index_context(*, user: Any, procedure: Procedure) -> dict[str, Any] | None:
    """The linked child's other procedures and siblings (logged as an index read)."""
    person = procedure.indexed_child
    if person is None:
        return None
    access_log_record(
        actor=user,
        target=person,
        municipality_id=procedure.municipality_id,
        purpose="Personenindex: frühere Verfahren und Geschwister",
    )
    siblings = []
    if person.household_id:
        from cases.models import IndexedPerson

        others = IndexedPerson.objects.filter(household_id=person.household_id).exclude(
            pk=person.pk
        )
        siblings = [{"person": s, "procedures": _index_procedures(s)} for s in others]
    return {
        "person": person,
        "procedures": [p for p in _index_procedures(person) if p.pk != procedure.pk],
        "siblings": siblings,
    }


def handovers_for_intake(*, user: Any) -> QuerySet[Any]:
    """Hand-overs addressed to communes where ``user`` takes in reports (case role with
    ``add`` and member of a team there). Shows only the hand-over itself — exactly what was
    transmitted — never the sender's procedure."""
    from cases.models import Handover

    team_communes = teams_for_user(user=user).values("municipality_id")
    return (
        Handover.objects.filter(to_municipality_id__in=team_communes)
        .select_related("municipality", "to_municipality", "received_procedure")
        .order_by("status", "-sent_at")
    )


def handover_get_for_intake(*, user: Any, code: Any) -> Any:
    """One hand-over of the user's intake (404 otherwise); the read is logged."""
    parsed = _parse_code(code)
    handover = handovers_for_intake(user=user).filter(code=parsed).first()
    if handover is None:
        raise Http404(NOT_FOUND)
    access_log_record(
        actor=user,
        target=handover,
        municipality_id=handover.to_municipality_id,
        purpose="Übergabe nach § 8a Abs. 6 ansehen",
    )
    return handover


def handover_received_by(*, procedure: Procedure) -> Any:
    """The hand-over this procedure was created from (what the sender transmitted)."""
    from cases.models import Handover

    return Handover.objects.filter(received_procedure=procedure).first()


def due_items_for_user(*, user: Any, today: dt.date) -> list:
    """Mein Bereich (core.inbox hook): what waits for a caseworker or Teamleitung.

    Counts only — no names, no file numbers — of the procedures the user may open (their
    case teams): sign-off requests addressed to them, their own requests returned with a
    comment, overdue deadlines (closing deadlines apart), deadlines within three days, and
    § 8a Abs. 6 hand-overs from other communes waiting in their intake.
    """
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from cases.choices import AssessmentStatus, HandoverStatus
    from core.inbox import DueItem

    if not permissions.municipality_ids_for(user, permissions.VIEW, permissions.CASES):
        return []
    items: list[DueItem] = []
    inbox_url = reverse("cases:sign_off_inbox")
    list_url = reverse("cases:procedure_list")
    waiting = sign_off_requests_for_signer(user=user).count()
    if waiting:
        items.append(
            DueItem(
                kind="sign_off_waiting",
                title=ngettext(
                    "%(n)d Gefährdungseinschätzung wartet auf meine Abzeichnung",
                    "%(n)d Gefährdungseinschätzungen warten auf meine Abzeichnung",
                    waiting,
                )
                % {"n": waiting},
                url=inbox_url,
                count=waiting,
            )
        )
    returned = (
        SignOffRequest.objects.filter(
            case_team_condition(user, via=THROUGH_ASSESSMENT),
            requested_by_id=getattr(user, "pk", None),
            status=SignOffRequestStatus.RETURNED,
            assessment__status=AssessmentStatus.DRAFT,
        )
        .exclude(assessment__sign_off_requests__status=SignOffRequestStatus.OPEN)
        .values("assessment_id")
        .distinct()
        .count()
    )
    if returned:
        items.append(
            DueItem(
                kind="sign_off_returned",
                title=ngettext(
                    "%(n)d Einschätzung mit Kommentar zurückgegeben",
                    "%(n)d Einschätzungen mit Kommentar zurückgegeben",
                    returned,
                )
                % {"n": returned},
                url=inbox_url,
                count=returned,
            )
        )
    now = timezone.now()
    # One pass over the open procedures (a partial index holds them per team), not one
    # count per kind over the team's whole history.
    counts = (
        procedures_for_user(user=user)
        .exclude(status=ProcedureStatus.CLOSED)
        .aggregate(
            overdue=Count("pk", filter=due_filter(now=now, horizon=dt.timedelta(0))),
            close_late=Count("pk", filter=close_overdue_filter(now=now)),
            within_horizon=Count("pk", filter=due_filter(now=now, horizon=dt.timedelta(days=3))),
        )
    )
    overdue, close_late = counts["overdue"], counts["close_late"]
    soon = counts["within_horizon"] - overdue
    if close_late:
        items.append(
            DueItem(
                kind="close_overdue",
                title=ngettext(
                    "%(n)d Verfahren über der Abschlussfrist",
                    "%(n)d Verfahren über der Abschlussfrist",
                    close_late,
                )
                % {"n": close_late},
                url=f"{list_url}?due=close",
                count=close_late,
                overdue=True,
            )
        )
    if overdue:
        items.append(
            DueItem(
                kind="overdue_deadlines",
                title=ngettext(
                    "%(n)d Verfahren mit überschrittener Frist",
                    "%(n)d Verfahren mit überschrittener Frist",
                    overdue,
                )
                % {"n": overdue},
                url=f"{list_url}?due=overdue",
                count=overdue,
                overdue=True,
                detail=_("Ersteinschätzung, Kontakt, Rückmeldung, Überprüfung, Abschluss"),
            )
        )
    if soon > 0:
        items.append(
            DueItem(
                kind="deadlines_soon",
                title=ngettext(
                    "%(n)d Verfahren mit Frist in den nächsten 3 Tagen",
                    "%(n)d Verfahren mit Frist in den nächsten 3 Tagen",
                    soon,
                )
                % {"n": soon},
                url=f"{list_url}?due=due",
                count=soon,
            )
        )
    handovers = handovers_for_intake(user=user).filter(status=HandoverStatus.SENT).count()
    if handovers:
        items.append(
            DueItem(
                kind="handover_intake",
                title=ngettext(
                    "%(n)d Übergabe aus einer anderen Kommune wartet auf Übernahme",
                    "%(n)d Übergaben aus anderen Kommunen warten auf Übernahme",
                    handovers,
                )
                % {"n": handovers},
                url=reverse("cases:handover_intake"),
                count=handovers,
            )
        )
    return items


# --- what other apps link to a procedure ------------------------------------------------------


@dataclass(frozen=True)
class ProcedureLink:
    """A record of another app that belongs to this procedure, as the procedure page shows
    it: what it is (``label``), which one (``text``), and where the user may open it."""

    label: str
    text: str
    url: str


def procedure_links(*, user: Any, procedure: Procedure) -> list[ProcedureLink]:
    """Links from ``procedure`` to what led to it in apps above cases (e.g. the partner's
    Mitteilung it was created from). ``cases`` imports none of them: an app names a
    function on its ``AppConfig`` (``procedure_links = "partners.selectors.…"``) that takes
    ``user`` and ``procedure`` and returns only what ``user`` may open."""
    links: list[ProcedureLink] = []
    for config in apps.get_app_configs():
        path = getattr(config, "procedure_links", None)
        if path:
            links.extend(import_string(path)(user=user, procedure=procedure))
    return links


def log_holds() -> list[QuerySet]:
    """Records whose audit and read-log rows the log retention keeps: open procedures
    (their history is still needed for the ongoing § 8a assessment) and procedures under
    a legal hold (a court may ask who changed and read what)."""
    return [
        Procedure.objects.exclude(status=ProcedureStatus.CLOSED),
        Procedure.objects.filter(legal_hold=True),
    ]


def committee_report_get(*, municipality: Any, year: int) -> Any:
    """The year's report texts of a commune, or an unsaved empty one (the caller checked
    that the user may see the commune's aggregates)."""
    from cases.models import CommitteeReport

    return CommitteeReport.objects.filter(
        municipality=municipality, year=year
    ).first() or CommitteeReport(municipality=municipality, year=year)
