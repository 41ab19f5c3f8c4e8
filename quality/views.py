"""Pages of the quality app: board, outcomes, workshops, sessions, search, feeds, exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.audit import audit_record
from core.charts import column_chart
from core.choices import AuditAction
from core.views import forbidden_unless
from core.web import apply_errors, error_text, is_htmx, render_partial_or_page
from quality import exports, forms, search, selectors, services
from quality.choices import OUTCOME_TRANSITIONS, OutcomeStatus, RegistrationStatus
from quality.ical import sessions_to_ical
from quality.models import (
    CalendarFeed,
    Evidence,
    Outcome,
    OutcomeTransition,
    Registration,
    Workshop,
    WorkshopSession,
)
from quality.rendering import protocol_pdf, render_markdown
from registry.models import Cluster, Municipality

# --- board ------------------------------------------------------------------------------


def _board_scope(request: HttpRequest, data: Any) -> dict[str, Any]:
    """Which board: one commune (``kommune``) or one cluster (``cluster``)."""
    user = request.user
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.QUALITY)
    # Roles without any access to quality work (e.g. data protection) get 403.
    forbidden_unless(bool(allowed))
    communes = Municipality.objects.select_related("cluster").order_by("name")
    if allowed != permissions.ALL:
        communes = communes.filter(pk__in=allowed)
    slug = data.get("kommune", "")
    number = data.get("cluster", "")
    municipality = cluster = None
    if number:
        try:
            cluster = Cluster.objects.select_related("model_municipality").get(number=int(number))
        except (Cluster.DoesNotExist, ValueError) as exc:
            raise Http404(selectors.NOT_FOUND) from exc
        # A cluster board is for its members (and the project team): others get 404.
        if (
            allowed != permissions.ALL
            and not cluster.municipalities.filter(pk__in=allowed).exists()
        ):
            raise Http404(selectors.NOT_FOUND)
    elif slug:
        municipality = communes.filter(slug=slug).first()
        if municipality is None:
            raise Http404(selectors.NOT_FOUND)
    else:
        municipality = communes.first()
    if municipality is None and cluster is None:
        raise PermissionDenied
    outcomes = selectors.outcome_list_for_user(
        user=user, municipality=municipality, cluster=cluster
    )
    clusters = Cluster.objects.filter(municipalities__in=communes).distinct().order_by("number")
    return {
        "municipality": municipality,
        "cluster": cluster,
        "outcomes": outcomes,
        "communes": communes,
        "clusters": clusters,
    }


def _board_context(request: HttpRequest, data: Any) -> dict[str, Any]:
    scope = _board_scope(request, data)
    outcomes = scope["outcomes"]
    columns = selectors.outcome_board(outcomes=outcomes)
    user = request.user
    can_change = {
        o.pk: selectors.can_change_outcome(user=user, outcome=o)
        for column in columns
        for o in column.outcomes
    }
    can_add = scope["municipality"] is not None and permissions.has_permission(
        user, permissions.ADD, permissions.QUALITY, scope["municipality"].pk
    )
    return {
        **scope,
        "columns": columns,
        "progress": selectors.outcome_progress(outcomes=outcomes),
        "transitions": {k: list(v) for k, v in OUTCOME_TRANSITIONS.items()},
        "status_labels": dict(OutcomeStatus.choices),
        "can_change": can_change,
        "can_add": can_add,
        "create_form": forms.OutcomeCreateForm() if can_add else None,
        "board_query": {
            "kommune": scope["municipality"].slug if scope["municipality"] else "",
            "cluster": scope["cluster"].number if scope["cluster"] else "",
        },
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The results board of one commune or one cluster (htmx: buttons and drag & drop)."""
    context = _board_context(request, request.GET)
    return render_partial_or_page(request, "quality/outcome_board.html", "board", context)


@login_required
@require_POST
def outcome_create(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("kommune", "")
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or not permissions.has_permission(
        request.user, permissions.VIEW, permissions.QUALITY, municipality.pk
    ):
        raise Http404(selectors.NOT_FOUND)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.ADD, permissions.QUALITY, municipality.pk
        )
    )
    form = forms.OutcomeCreateForm(request.POST)
    if form.is_valid():
        outcome = services.outcome_create(
            municipality=municipality,
            text=form.cleaned_data["text"],
            scope=form.cleaned_data["scope"],
            due_date=form.cleaned_data["due_date"],
            actor=request.user,
        )
        messages.success(request, _("Ergebnis „%(text)s“ angelegt.") % {"text": outcome.text})
    else:
        messages.error(request, _("Bitte einen Text für das Ergebnis angeben."))
    return redirect(reverse("quality:board") + f"?kommune={municipality.slug}")


@login_required
@require_POST
def outcome_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status; htmx gets the re-rendered board (with any error in it)."""
    outcome = selectors.outcome_get_for_user(user=request.user, pk=pk)
    forbidden_unless(selectors.can_change_outcome(user=request.user, outcome=outcome))
    form = forms.TransitionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.outcome_transition(
                outcome=outcome,
                to_status=form.cleaned_data["to_status"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except services.OutcomeConflict as exc:
            error = str(exc)
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = _("Ungültiger Status.")
    if is_htmx(request) and request.POST.get("board"):
        data = {
            "kommune": request.POST.get("kommune", ""),
            "cluster": request.POST.get("cluster", ""),
        }
        context = _board_context(request, data)
        context["board_error"] = error
        context["board_notice"] = (
            ""
            if error
            else _("„%(text)s“ ist jetzt „%(status)s“.")
            % {"text": outcome.text[:60], "status": outcome.get_status_display()}
        )
        return render(request, "quality/outcome_board.html#board", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Status geändert."))
    return redirect(request.POST.get("next") or outcome.get_absolute_url())


def _outcome_sessions(outcome: Outcome) -> Any:
    cluster_id = outcome.municipality.cluster_id
    qs = WorkshopSession.objects.select_related("workshop")
    if cluster_id:
        return qs.filter(workshop__cluster_id=cluster_id) | qs.filter(
            workshop__municipality_id=outcome.municipality_id
        )
    return qs.filter(workshop__municipality_id=outcome.municipality_id)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One outcome: edit (with conflict detection), lifecycle, evidence, similar work."""
    outcome = selectors.outcome_get_for_user(user=request.user, pk=pk)
    can_change = selectors.can_change_outcome(user=request.user, outcome=outcome)
    sessions = _outcome_sessions(outcome).order_by("-starts_at")
    conflict = None
    form = None
    if request.method == "POST":
        forbidden_unless(can_change)
        form = forms.OutcomeForm(request.POST, outcome=outcome, sessions=sessions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.outcome_update(
                    outcome=outcome,
                    actor=request.user,
                    expected_version=data["version"],
                    decided_in=data["decided_in"],
                    **{f: data[f] for f in services.OUTCOME_EDITABLE_FIELDS},
                )
            except services.OutcomeConflict as exc:
                conflict = exc
                outcome = Outcome.objects.select_related("owner_institution").get(pk=outcome.pk)
                # Keep what the person typed, but against the current version, so that
                # saving again is a deliberate decision after reading the other change.
                post = request.POST.copy()
                post["version"] = str(outcome.version)
                form = forms.OutcomeForm(post, outcome=outcome, sessions=sessions)
                form.is_valid()
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Gespeichert."))
                return redirect(outcome.get_absolute_url())
    elif can_change:
        form = forms.OutcomeForm(
            initial={
                "version": outcome.version,
                "text": outcome.text,
                "scope": outcome.scope,
                "description": outcome.description,
                "owner_institution": outcome.owner_institution,
                "owner_name": outcome.owner_name,
                "due_date": outcome.due_date,
                "decided_in": list(outcome.decided_in.all()),
            },
            outcome=outcome,
            sessions=sessions,
        )
    return render(
        request,
        "quality/outcome_detail.html",
        {
            "outcome": outcome,
            "form": form,
            "conflict": conflict,
            "can_change": can_change,
            "transitions": OutcomeTransition.objects.filter(outcome=outcome).select_related(
                "actor"
            ),
            "next_statuses": [
                (s, OutcomeStatus(s).label) for s in OUTCOME_TRANSITIONS.get(outcome.status, ())
            ],
            "evidence": outcome.evidence.all(),
            "evidence_form": forms.EvidenceForm() if can_change else None,
            "decided_in": outcome.decided_in.select_related("workshop"),
            "similar": search.similar_items(item=outcome, limit=6),
        },
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.outcome_get_for_user(user=request.user, pk=pk)
    forbidden_unless(selectors.can_change_outcome(user=request.user, outcome=outcome))
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                outcome=outcome,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"] or "",
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
            messages.success(request, _("Nachweis hinzugefügt."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(outcome.get_absolute_url() + "#nachweise")


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence_get(request, pk)
    forbidden_unless(selectors.can_change_outcome(user=request.user, outcome=evidence.outcome))
    outcome = evidence.outcome
    services.evidence_delete(evidence=evidence, actor=request.user)
    messages.success(request, _("Nachweis entfernt."))
    return redirect(outcome.get_absolute_url() + "#nachweise")


def _evidence_get(request: HttpRequest, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.visible_to(request.user).select_related("outcome").filter(pk=pk).first()
    )
    if evidence is None:
        raise Http404(selectors.NOT_FOUND)
    return evidence


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Uploaded documents are served only to those who may see the outcome."""
    evidence = _evidence_get(request, pk)
    if not evidence.file:
        raise Http404(selectors.NOT_FOUND)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def outcome_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The board's outcomes as CSV or Excel (audited as an export)."""
    scope = _board_scope(request, request.GET)
    target = scope["municipality"]
    allowed = permissions.municipality_ids_for(
        request.user, permissions.EXPORT, permissions.QUALITY
    )
    forbidden_unless(
        bool(allowed) and (target is None or allowed == permissions.ALL or target.pk in allowed)
    )
    outcomes = scope["outcomes"].filter(parent=None)
    if allowed != permissions.ALL:
        outcomes = outcomes.filter(municipality_id__in=allowed)
    rows = exports.outcome_rows(outcomes)
    name = f"ergebnisse-{target.slug if target else 'cluster-' + str(scope['cluster'].number)}"
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        target=target,
        target_repr=name,
        after={"format": fmt, "rows": len(rows)},
        municipality_id=target.pk if target else None,
    )
    if fmt == "xlsx":
        return exports.xlsx_response(name, _("Ergebnisse"), exports.OUTCOME_HEADER, rows)
    return exports.csv_response(name, exports.OUTCOME_HEADER, rows)


# --- workshops --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workshop_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    addable = permissions.municipality_ids_for(user, permissions.ADD, permissions.QUALITY)
    host_choices = Municipality.objects.order_by("name")
    if addable != permissions.ALL:
        host_choices = host_choices.filter(pk__in=addable)
    form = forms.WorkshopForm(request.POST or None)
    if request.method == "POST":
        host = host_choices.filter(slug=request.POST.get("kommune", "")).first()
        forbidden_unless(host is not None)
        if form.is_valid():
            workshop = services.workshop_create(municipality=host, actor=user, **form.cleaned_data)
            messages.success(request, _("Werkstatt angelegt."))
            return redirect(workshop.get_absolute_url())
    return render(
        request,
        "quality/workshop_list.html",
        {
            "workshops": selectors.workshop_list_for_user(user=user),
            "form": form if addable else None,
            "host_choices": host_choices if addable else [],
            "feed_url": request.build_absolute_uri(
                reverse("quality:person_ical", args=[services.calendar_feed_for(user=user).token])
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_get_for_user(user=request.user, pk=pk)
    can_manage = selectors.can_manage_workshop(user=request.user, workshop=workshop)
    series_form = forms.SeriesForm(prefix="series")
    session_form = forms.SessionForm(prefix="extra")
    settings_form = forms.WorkshopForm(
        prefix="settings",
        initial={
            "title": workshop.title,
            "kind": workshop.kind,
            "default_place": workshop.default_place,
            "capacity": workshop.capacity,
            "description": workshop.description,
        },
    )
    if request.method == "POST":
        forbidden_unless(can_manage)
        action = request.POST.get("action")
        try:
            if action == "settings":
                settings_form = forms.WorkshopForm(request.POST, prefix="settings")
                if settings_form.is_valid():
                    services.workshop_update(
                        workshop=workshop, actor=request.user, **settings_form.cleaned_data
                    )
                    messages.success(request, _("Werkstatt gespeichert."))
                    return redirect(workshop.get_absolute_url())
            elif action == "series":
                series_form = forms.SeriesForm(request.POST, prefix="series")
                if series_form.is_valid():
                    created = services.workshop_schedule_series(
                        workshop=workshop, actor=request.user, **series_form.cleaned_data
                    )
                    messages.success(
                        request,
                        ngettext("%(n)s Termin angelegt.", "%(n)s Termine angelegt.", len(created))
                        % {"n": len(created)},
                    )
                    return redirect(workshop.get_absolute_url())
            elif action == "extra":
                session_form = forms.SessionForm(request.POST, prefix="extra")
                if session_form.is_valid():
                    services.session_add(
                        workshop=workshop, actor=request.user, **session_form.cleaned_data
                    )
                    messages.success(request, _("Zusatztermin angelegt."))
                    return redirect(workshop.get_absolute_url())
        except ValidationError as exc:
            target = {"series": series_form, "settings": settings_form}.get(action, session_form)
            target.add_error(None, error_text(exc))
    return render(
        request,
        "quality/workshop_detail.html",
        {
            "workshop": workshop,
            "sessions": selectors.session_list(workshop=workshop),
            "can_manage": can_manage,
            "series_form": series_form,
            "session_form": session_form,
            "settings_form": settings_form,
            "feed_url": request.build_absolute_uri(
                reverse("quality:workshop_ical", args=[workshop.feed_token])
            ),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def workshop_participation(request: HttpRequest, pk: int) -> HttpResponse:
    """Participation over time: institution types per session, stability, § 3 KKG gaps."""
    workshop = selectors.workshop_get_for_user(user=request.user, pk=pk)
    data = selectors.participation_over_time(workshop=workshop)
    return render(
        request,
        "quality/workshop_participation.html",
        {"workshop": workshop, "data": data, "chart": _participation_chart(data)},
    )


def _participation_chart(data: selectors.Participation) -> str:
    """Participants and represented institutions per session as an inline SVG."""
    return column_chart(
        [timezone.localtime(s.starts_at).strftime("%m/%y") for s in data.sessions],
        [
            (_("Teilnehmende"), data.totals),
            (_("Einrichtungen"), data.institutions_per_session),
        ],
        title=_("Teilnehmende und Einrichtungen je Termin"),
        desc=_(
            "Balken je Termin: dunkel die Zahl der Teilnehmenden, hell die Zahl der "
            "vertretenen Einrichtungen. Die Tabelle unten enthält dieselben Zahlen."
        ),
    )


@login_required
@require_GET
def attendance_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    workshop = selectors.workshop_get_for_user(user=request.user, pk=pk)
    forbidden_unless(
        permissions.has_permission(
            request.user, permissions.EXPORT, permissions.QUALITY, workshop.municipality_id
        )
    )
    sessions = list(workshop.sessions.order_by("starts_at"))
    registrations = (
        Registration.objects.filter(session__workshop=workshop)
        .select_related("institution")
        .order_by("session__starts_at", "name")
    )
    rows = exports.attendance_rows(sessions, registrations)
    name = f"teilnahme-werkstatt-{workshop.pk}"
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        target=workshop,
        after={"format": fmt, "rows": len(rows)},
    )
    if fmt == "xlsx":
        return exports.xlsx_response(name, _("Teilnahme"), exports.ATTENDANCE_HEADER, rows)
    return exports.csv_response(name, exports.ATTENDANCE_HEADER, rows)


# --- sessions ---------------------------------------------------------------------------


def _member_ids(workshop: Workshop) -> list[int]:
    ids = [workshop.municipality_id]
    if workshop.cluster_id:
        ids += list(workshop.cluster.municipalities.values_list("pk", flat=True))
    return ids


def _session_forms(session: WorkshopSession, data: Any = None) -> dict[str, Any]:
    """The session page's forms, unbound (with the current values) or bound to ``data``."""
    workshop = session.workshop
    return {
        "edit_form": forms.SessionForm(
            data,
            prefix="edit",
            initial={
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "place": session.place,
                "capacity": session.capacity,
            },
        ),
        "minutes_form": forms.MinutesForm(
            data, prefix="minutes", initial={"minutes": session.minutes}
        ),
        "agenda_form": forms.AgendaItemForm(
            data, prefix="agenda", municipality=workshop.municipality
        ),
        "invite_form": forms.InviteForm(
            data, prefix="invite", municipality_ids=_member_ids(workshop)
        ),
        "cancel_form": forms.CancelForm(data, prefix="cancel"),
    }


def _session_page(
    request: HttpRequest, session: WorkshopSession, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The session page; ``bound`` replaces a form by the one posted (with its errors)."""
    workshop = session.workshop
    registrations = selectors.registrations_for_session(session=session)
    own = next((r for r in registrations if r.user_id == request.user.pk), None)
    return render(
        request,
        "quality/session_detail.html",
        {
            "session": session,
            "workshop": workshop,
            "can_manage": selectors.can_manage_workshop(user=request.user, workshop=workshop),
            "agenda": session.agenda.select_related("interest", "topic"),
            "minutes_html": render_markdown(session.minutes),
            "registrations": registrations,
            "registered_count": sum(
                r.status == RegistrationStatus.REGISTERED for r in registrations
            ),
            "own": own,
            **_session_forms(session),
            **bound,
            "started": session.starts_at <= timezone.now(),
            "outcomes": session.decided_outcomes.all(),
        },
        status=status,
    )


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One session: agenda, minutes, registrations; every change posts to its own URL."""
    return _session_page(request, selectors.session_get_for_user(user=request.user, pk=pk))


def _managed_session(request: HttpRequest, pk: int) -> WorkshopSession:
    """The session, if the user may see it (404) and manage its workshop (403)."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    forbidden_unless(selectors.can_manage_workshop(user=request.user, workshop=session.workshop))
    return session


def _session_form_post(
    request: HttpRequest,
    pk: int,
    form_name: str,
    act: Any,
    *,
    success: str = "",
    anchor: str = "",
) -> HttpResponse:
    """A managing form on the session page: valid input goes to ``act(session, data)``;
    invalid input or the service's ValidationError shows the page again with the form
    and its errors inline (400)."""
    session = _managed_session(request, pk)
    form = _session_forms(session, request.POST)[form_name]
    if form.is_valid():
        try:
            act(session, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if success:
                messages.success(request, success)
            return redirect(session.get_absolute_url() + anchor)
    return _session_page(request, session, status=400, **{form_name: form})


def _session_post(
    request: HttpRequest, session: WorkshopSession, act: Any, *, success: str, anchor: str = ""
) -> HttpResponse:
    """A button on the session page: run ``act()``; its ValidationError becomes a message."""
    try:
        act()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect(session.get_absolute_url() + anchor)


@login_required
@require_POST
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_form_post(
        request,
        pk,
        "edit_form",
        lambda session, data: services.session_update(session=session, actor=request.user, **data),
        success=_("Termin gespeichert."),
    )


@login_required
@require_POST
def session_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_form_post(
        request,
        pk,
        "minutes_form",
        lambda session, data: services.session_update(
            session=session, actor=request.user, minutes=data["minutes"]
        ),
        success=_("Protokoll gespeichert."),
        anchor="#protokoll",
    )


@login_required
@require_POST
def session_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_form_post(
        request,
        pk,
        "agenda_form",
        lambda session, data: services.agenda_item_add(session=session, actor=request.user, **data),
        anchor="#tagesordnung",
    )


@login_required
@require_POST
def session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_form_post(
        request,
        pk,
        "invite_form",
        lambda session, data: services.session_invite(
            session=session, actor=request.user, base_url=request.build_absolute_uri("/"), **data
        ),
        success=_("Einladung verschickt."),
        anchor="#anmeldungen",
    )


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_form_post(
        request,
        pk,
        "cancel_form",
        lambda session, data: services.session_cancel(
            session=session, actor=request.user, reason=data["reason"]
        ),
        success=_("Termin abgesagt; die Angemeldeten werden benachrichtigt."),
    )


@login_required
@require_POST
def session_agenda_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    item = session.agenda.filter(pk=item_pk).first()
    if item is None:
        raise Http404(selectors.NOT_FOUND)
    return _session_post(
        request,
        session,
        lambda: services.agenda_item_delete(item=item, actor=request.user),
        success=_("Punkt entfernt."),
        anchor="#tagesordnung",
    )


def _registration_of(session: WorkshopSession, pk: int) -> Registration:
    registration = session.registrations.filter(pk=pk).first()
    if registration is None:
        raise Http404(selectors.NOT_FOUND)
    return registration


@login_required
@require_POST
def session_register_invited(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    registration = _registration_of(session, registration_pk)
    return _session_post(
        request,
        session,
        lambda: services.registration_signup(
            session=session,
            actor=request.user,
            name=registration.name,
            email=registration.email,
            user=registration.user,
        ),
        success=_("Angemeldet."),
        anchor="#anmeldungen",
    )


@login_required
@require_POST
def session_cancel_registration(
    request: HttpRequest, pk: int, registration_pk: int
) -> HttpResponse:
    session = _managed_session(request, pk)
    registration = _registration_of(session, registration_pk)
    return _session_post(
        request,
        session,
        lambda: services.registration_cancel(registration=registration, actor=request.user),
        success=_("Abgemeldet; die Warteliste ist nachgerückt."),
        anchor="#anmeldungen",
    )


@login_required
@require_POST
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    ids = [int(v) for v in request.POST.getlist("registration") if v.isdigit()]
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    return _session_post(
        request,
        session,
        lambda: services.attendance_record(
            session=session, actor=request.user, attended={i: i in present for i in ids}
        ),
        success=_("Anwesenheit gespeichert."),
        anchor="#anmeldungen",
    )


@login_required
@require_POST
def session_signup(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign oneself up; a full session puts one on the waiting list."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    try:
        registration = services.registration_signup(
            session=session, actor=request.user, user=request.user
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if registration.status == RegistrationStatus.WAITLISTED:
            messages.info(request, _("Alle Plätze sind vergeben – Sie stehen auf der Warteliste."))
        else:
            messages.success(request, _("Sie sind angemeldet."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one's own registration or place on the waiting list."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    registration = session.registrations.filter(user=request.user).first()
    if registration is None:
        raise Http404(selectors.NOT_FOUND)
    return _session_post(
        request,
        session,
        lambda: services.registration_cancel(registration=registration, actor=request.user),
        success=_("Sie sind abgemeldet."),
    )


@login_required
@require_GET
def session_protocol(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable protocol: agenda, attendance, minutes, decided outcomes."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    context = {
        "session": session,
        "workshop": session.workshop,
        "agenda": session.agenda.select_related("interest", "topic"),
        "present": session.registrations.filter(attended=True).select_related("institution"),
        "minutes_html": render_markdown(session.minutes),
        "outcomes": session.decided_outcomes.select_related("municipality"),
    }
    if request.GET.get("format") == "pdf":
        html = render_to_string("quality/session_protocol_pdf.html", context, request=request)
        response = HttpResponse(protocol_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="protokoll-{session.pk}.pdf"'
        return response
    return render(request, "quality/session_protocol.html", context)


# --- calendars --------------------------------------------------------------------------


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


@require_GET
def workshop_ical(request: HttpRequest, token: str) -> HttpResponse:
    """The feed of one workshop; the secret address stands in for a login."""
    workshop = Workshop.objects.filter(feed_token=token).first()
    if workshop is None:
        raise Http404(selectors.NOT_FOUND)
    sessions = workshop.sessions.select_related("workshop").prefetch_related("agenda")
    return _ical_response(
        sessions_to_ical(sessions=sessions, name=workshop.title, host=request.get_host()),
        f"werkstatt-{workshop.pk}",
    )


@require_GET
def person_ical(request: HttpRequest, token: str) -> HttpResponse:
    """A person's feed: every session they are signed up, waiting or invited for."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404(selectors.NOT_FOUND)
    sessions = selectors.sessions_for_person(user=feed.user).prefetch_related(Prefetch("agenda"))
    return _ical_response(
        sessions_to_ical(
            sessions=sessions, name=_("Meine Werkstatt-Termine"), host=request.get_host()
        ),
        "meine-termine",
    )


# --- search -----------------------------------------------------------------------------


@require_GET
def item_similar(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """ "Ähnliche Ergebnisse in anderen Kommunen" for an interest or a central topic.

    Interests and topics are part of the public profile, so this page is public too.
    """
    model = search.KIND_MODELS.get(kind)
    if model is None or kind == "outcome":
        raise Http404(selectors.NOT_FOUND)
    item = model.objects.select_related("municipality").filter(pk=pk).first()
    if item is None:
        raise Http404(selectors.NOT_FOUND)
    return render(
        request,
        "quality/item_similar.html",
        {
            "item": item,
            "kind_label": model._meta.verbose_name,
            "similar": search.similar_items(item=item, limit=10),
        },
    )


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """Search all communes' interests, topics and outcomes ("Voneinander lernen")."""
    form = forms.SearchForm(request.GET or None)
    hits: list[search.SearchHit] = []
    searched = False
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        searched = True
        hits = search.search(
            query=data["q"],
            state=data["state"].code if data["state"] else "",
            cluster=data["cluster"].number if data["cluster"] else None,
            status=data["status"],
            scope=data["scope"],
            kinds=[data["kind"]] if data["kind"] else None,
            limit=100,
        )
    context = {"form": form, "hits": hits, "searched": searched}
    return render_partial_or_page(request, "quality/search.html", "results", context)


# --- seat quotas and personal invitation links -------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workshop_quotas(request: HttpRequest, pk: int) -> HttpResponse:
    """Seats per session reserved for institutions (Kontingentierung)."""
    workshop = selectors.workshop_get_for_user(user=request.user, pk=pk)
    forbidden_unless(selectors.can_manage_workshop(user=request.user, workshop=workshop))
    form = forms.SeatQuotaForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_quota_set(workshop=workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kontingent gespeichert."))
            return redirect("quality:workshop_quotas", pk=workshop.pk)
    quotas = list(workshop.seat_quotas.select_related("institution__municipality"))
    return render(
        request,
        "quality/workshop_quotas.html",
        {
            "workshop": workshop,
            "quotas": quotas,
            "open_seats": workshop.capacity - sum(q.seats for q in quotas),
            "form": form,
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation_respond(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link of an invitation: accept or decline without an account."""
    registration = selectors.invitation_get(token=token)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            registration = services.invitation_respond(registration=registration, accept=accept)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if not accept:
                messages.success(request, _("Sie haben die Einladung abgesagt."))
            elif registration.status == RegistrationStatus.WAITLISTED:
                messages.success(
                    request, _("Alle Plätze sind vergeben: Sie stehen auf der Warteliste.")
                )
            else:
                messages.success(request, _("Sie sind angemeldet."))
        if registration.invitation_token is None:
            return render(
                request,
                "quality/invitation_respond.html",
                {"registration": registration, "closed": True},
            )
        return redirect("quality:invitation_respond", token=token)
    return render(request, "quality/invitation_respond.html", {"registration": registration})
