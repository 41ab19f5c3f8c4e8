"""Pages of the partner side: thin views over the chokepoint selectors and the services.

Areas that belong to one role answer 404 to everyone else (not 403): a Jugendamt
caseworker learns nothing about a Kita's records from the status code, nor a Kita about
the Jugendamt's intake.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.selectors import teams_for_user
from core import permissions
from core.web import apply_errors, error_text
from partners import selectors, services
from partners.choices import ConsultationStatus, MessageStatus, RecordStatus
from partners.forms import (
    AcceptInvitationForm,
    AcknowledgeForm,
    AgreementTermsForm,
    ConsultationRequestForm,
    ConsultationRespondForm,
    ConsultationResultForm,
    FeedbackForm,
    InviteForm,
    InvolvementForm,
    MessageForm,
    PoolFilterForm,
    PoolMemberEditForm,
    PoolMemberForm,
    RecordCreateForm,
    RecordEditForm,
    SettingsForm,
)
from partners.instruments_bridge import instrument_definition
from registry.models import Municipality


def _binding_or_404(request: HttpRequest):
    binding = selectors.binding_for(user=request.user)
    if binding is None:
        raise Http404(selectors.NOT_FOUND)
    return binding


# --- the institution's area ------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The institution's records and counts (staff and lead of one institution)."""
    binding = _binding_or_404(request)
    status = request.GET.get("status", "")
    if status not in RecordStatus.values:
        status = ""
    qs = selectors.record_list(user=request.user, status=status, q=request.GET.get("q", "")[:20])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/dashboard.html",
        {
            "binding": binding,
            "page": page,
            "counts": selectors.record_dashboard(user=request.user),
            "rules": selectors.rules_for_institution(institution=binding.institution),
            "status": status,
            "is_lead": permissions.has_permission(
                request.user,
                permissions.MANAGE_MEMBERS,
                permissions.PARTNERS,
                binding.municipality_id,
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    binding = _binding_or_404(request)
    form = RecordCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(
                institution=binding.institution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Dokumentation wurde angelegt."))
            return redirect(record.get_absolute_url())
    return render(request, "partners/record_form.html", {"form": form, "binding": binding})


def _record_context(request: HttpRequest, record, form=None) -> dict:
    definition = instrument_definition(
        key=record.instrument_key,
        version=record.instrument_version,
        municipality_id=record.municipality_id,
    )
    if form is None:
        initial = {
            name: getattr(record, name)
            for name in (
                "assessment_summary",
                "parents_talk",
                "child_talk",
                "talk_omitted_reason",
                "help_towards",
                "decision",
                "review_on",
            )
        }
        initial.update({f"item__{k}": str(v) for k, v in record.answers.items()})
        form = RecordEditForm(initial=initial, instrument=definition, age_band=record.age_band)
    answer_rows = []
    if definition is not None:
        answer_rows = [
            (section.title, [(i, record.answers.get(f"{section.key}.{i.key}")) for i in items])
            for section, items in definition.items_for(record.age_band)
        ]
    message = selectors.record_message(record)
    can_sign = (
        not record.is_signed
        and record.author_id != request.user.pk
        and permissions.has_permission(
            request.user, permissions.SIGN_OFF, permissions.PARTNERS, record.municipality_id
        )
    )
    return {
        "record": record,
        "form": form,
        "instrument": definition,
        "answer_rows": answer_rows,
        "consultations": record.consultations.select_related("insofa").order_by("requested_at"),
        "message": message,
        "events": record.events.all(),
        "can_sign": can_sign,
        "can_message": record.is_signed and record.decision == "inform" and message is None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def record_detail(request: HttpRequest, code) -> HttpResponse:
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="Dokumentation der Einrichtung"
    )
    form = None
    if request.method == "POST":
        definition = instrument_definition(
            key=record.instrument_key,
            version=record.instrument_version,
            municipality_id=record.municipality_id,
        )
        form = RecordEditForm(request.POST, instrument=definition, age_band=record.age_band)
        if form.is_valid():
            try:
                services.record_update(record=record, actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Gespeichert."))
                return redirect(record.get_absolute_url())
    return render(request, "partners/record_detail.html", _record_context(request, record, form))


@login_required
@require_POST
def record_sign_off(request: HttpRequest, code) -> HttpResponse:
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="Dokumentation abzeichnen"
    )
    try:
        services.record_sign_off(record=record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied:
        messages.error(request, _("Laut Vereinbarung zeichnet die Leitung der Einrichtung ab."))
    else:
        messages.success(request, _("Die Dokumentation ist abgezeichnet."))
    return redirect(record.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def consultation_request(request: HttpRequest, code) -> HttpResponse:
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="Beratung anfragen"
    )
    filters = PoolFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    pool = selectors.pool_search(
        municipality=record.municipality,
        specialism=criteria.get("specialism", ""),
        language=criteria.get("language", ""),
    )
    form = ConsultationRequestForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        member = next(m for m in pool if str(m.code) == form.cleaned_data["insofa"])
        try:
            services.consultation_request(
                record=record,
                insofa=member,
                question=form.cleaned_data["question"],
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Beratung ist angefragt."))
            return redirect(record.get_absolute_url())
    return render(
        request,
        "partners/consultation_request.html",
        {"record": record, "form": form, "filters": filters, "pool": pool},
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_create(request: HttpRequest, code) -> HttpResponse:
    record = selectors.record_get_for_user(
        user=request.user, code=code, purpose="Mitteilung an das Jugendamt"
    )
    initial = {
        "observations": record.indications,
        "assessment_summary": record.assessment_summary,
        "actions_taken": record.help_towards,
    }
    form = MessageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_send(record=record, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Die Mitteilung ist beim Jugendamt eingegangen. Eingangsnummer: %(r)s")
                % {"r": message.receipt},
            )
            return redirect(record.get_absolute_url())
    return render(request, "partners/message_form.html", {"record": record, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """The lead's staff page: who is bound to the institution, invite by e-mail link."""
    staff, invitations = selectors.staff_of_institution(user=request.user)
    binding = selectors.binding_for(user=request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_invite(
                institution=binding.institution,
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Einladung ist per E-Mail verschickt."))
            return redirect("partners:staff_list")
    return render(
        request,
        "partners/staff_list.html",
        {"binding": binding, "staff": staff, "invitations": invitations, "form": form},
    )


@login_required
@require_POST
def staff_remove(request: HttpRequest, pk: int) -> HttpResponse:
    binding = selectors.staff_binding_get_for_lead(user=request.user, pk=pk)
    try:
        services.staff_remove(binding=binding, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Der Zugang zur Einrichtung ist entfernt."))
    return redirect("partners:staff_list")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the invited person sets her login (the token is the only credential)."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404(_("Die Einladung ist ungültig, abgelaufen oder schon benutzt."))
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_invitation_accept(
                raw_token=token,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Ihr Zugang ist angelegt. Bitte melden Sie sich an."))
            return redirect("login")
    return render(
        request, "partners/invitation_accept.html", {"invitation": invitation, "form": form}
    )


# --- the insoFa's consultations ---------------------------------------------------------------


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    if not permissions.municipality_ids_for(
        request.user, permissions.VIEW, permissions.CONSULTATIONS
    ):
        raise Http404(selectors.NOT_FOUND)
    qs = selectors.consultations_for_insofa(user=request.user).order_by("-requested_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "partners/consultation_list.html", {"page": page})


def _consultation_page(request: HttpRequest, consultation, **forms) -> HttpResponse:
    record = consultation.record
    definition = instrument_definition(
        key=record.instrument_key,
        version=record.instrument_version,
        municipality_id=record.municipality_id,
    )
    answer_rows = []
    if definition is not None:
        answer_rows = [
            (section.title, [(i, record.answers.get(f"{section.key}.{i.key}")) for i in items])
            for section, items in definition.items_for(record.age_band)
        ]
    context = {
        "consultation": consultation,
        "record": record,
        "instrument": definition,
        "answer_rows": answer_rows,
        "respond_form": forms.get("respond_form") or ConsultationRespondForm(),
        "result_form": forms.get("result_form") or ConsultationResultForm(),
        "can_respond": consultation.status == ConsultationStatus.REQUESTED,
        "can_complete": consultation.status == ConsultationStatus.ACCEPTED,
    }
    return render(request, "partners/consultation_detail.html", context)


@login_required
def consultation_detail(request: HttpRequest, code) -> HttpResponse:
    consultation = selectors.consultation_get_for_insofa(
        user=request.user, code=code, purpose="Beratung als insoweit erfahrene Fachkraft"
    )
    return _consultation_page(request, consultation)


@login_required
@require_POST
def consultation_respond(request: HttpRequest, code) -> HttpResponse:
    consultation = selectors.consultation_get_for_insofa(
        user=request.user, code=code, purpose="Beratungsanfrage beantworten"
    )
    form = ConsultationRespondForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_respond(
                consultation=consultation,
                actor=request.user,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("partners:consultation_detail", code=consultation.code)
    return _consultation_page(request, consultation, respond_form=form)


@login_required
@require_POST
def consultation_result(request: HttpRequest, code) -> HttpResponse:
    consultation = selectors.consultation_get_for_insofa(
        user=request.user, code=code, purpose="Ergebnis der Beratung dokumentieren"
    )
    form = ConsultationResultForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_complete(
                consultation=consultation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Das Ergebnis der Beratung ist dokumentiert."))
            return redirect("partners:consultation_detail", code=consultation.code)
    return _consultation_page(request, consultation, result_form=form)


# --- the Jugendamt's intake --------------------------------------------------------------------


def _require_intake(request: HttpRequest) -> None:
    if not permissions.municipality_ids_for(request.user, permissions.ADD, permissions.CASES):
        raise Http404(selectors.NOT_FOUND)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    _require_intake(request)
    state = request.GET.get("state", "")
    if state not in ("new", "feedback_overdue", "feedback_open"):
        state = ""
    qs = selectors.intake_list(user=request.user, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/intake_list.html",
        {
            "page": page,
            "state": state,
            "counts": selectors.intake_counts(user=request.user),
            "now": timezone.now(),
        },
    )


def _intake_page(request: HttpRequest, message, **forms) -> HttpResponse:
    teams = teams_for_user(user=request.user).filter(municipality_id=message.municipality_id)
    basis, scope = services.feedback_basis_for(message.institution)
    context = {
        "message": message,
        "ack_form": forms.get("ack_form") or AcknowledgeForm(teams=teams),
        "involvement_form": forms.get("involvement_form") or InvolvementForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "feedback_basis": basis,
        "feedback_scope": scope,
        "pending": message.status == MessageStatus.SENT,
        "now": timezone.now(),
    }
    return render(request, "partners/intake_detail.html", context)


@login_required
def intake_detail(request: HttpRequest, code) -> HttpResponse:
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="Mitteilung im Eingang des Jugendamts"
    )
    return _intake_page(request, message)


@login_required
@require_POST
def intake_acknowledge(request: HttpRequest, code) -> HttpResponse:
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="Eingang bestätigen"
    )
    teams = teams_for_user(user=request.user).filter(municipality_id=message.municipality_id)
    form = AcknowledgeForm(request.POST, teams=teams)
    if form.is_valid():
        team = teams.get(pk=form.cleaned_data["team"])
        try:
            message = services.message_acknowledge(
                message=message,
                team=team,
                actor=request.user,
                urgency=form.cleaned_data["urgency"],
                living_situation=form.cleaned_data["living_situation"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Eingang bestätigt; das Verfahren %(fn)s ist angelegt.")
                % {"fn": message.procedure.file_number},
            )
            return redirect("partners:intake_detail", code=message.code)
    return _intake_page(request, message, ack_form=form)


@login_required
@require_POST
def intake_involvement(request: HttpRequest, code) -> HttpResponse:
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="Einbeziehung der meldenden Fachkraft"
    )
    form = InvolvementForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.message_record_involvement(
                message=message,
                actor=request.user,
                involvement=d["reporter_involvement"],
                kind=d["involvement_kind"],
                occurred_at=d["involvement_at"],
                note=d["involvement_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Einbeziehung ist dokumentiert."))
            return redirect("partners:intake_detail", code=message.code)
    return _intake_page(request, message, involvement_form=form)


@login_required
@require_POST
def intake_feedback(request: HttpRequest, code) -> HttpResponse:
    _require_intake(request)
    message = selectors.message_get_for_jugendamt(
        user=request.user, code=code, purpose="Rückmeldung an die Einrichtung"
    )
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.message_feedback_send(
                message=message,
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Rückmeldung ist an die Einrichtung gegangen."))
            return redirect("partners:intake_detail", code=message.code)
    return _intake_page(request, message, feedback_form=form)


# --- the coordination: pool ----------------------------------------------------------------------


def _pool_communes(request: HttpRequest):
    allowed = permissions.municipality_ids_for(request.user, permissions.ADD, permissions.NETWORK)
    if not allowed:
        raise Http404(selectors.NOT_FOUND)
    communes = Municipality.objects.order_by("name")
    return communes if allowed == permissions.ALL else communes.filter(pk__in=allowed)


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request: HttpRequest) -> HttpResponse:
    """The coordination's pool of insoweit erfahrene Fachkräfte, with the yearly count."""
    communes = _pool_communes(request)
    form = PoolMemberForm(request.POST or None, municipalities=communes)
    if request.method == "POST" and form.is_valid():
        municipality = communes.get(pk=form.cleaned_data["municipality"])
        try:
            services.insofa_create(
                municipality=municipality, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Fachkraft ist im Pool."))
            return redirect("partners:pool_list")
    year = timezone.localdate().year
    return render(
        request,
        "partners/pool_list.html",
        {
            "members": selectors.pool_for_coordination(user=request.user),
            "form": form,
            "report": selectors.pool_yearly_report(user=request.user, year=year),
            "year": year,
        },
    )


@login_required
@require_POST
def pool_toggle(request: HttpRequest, code) -> HttpResponse:
    member = selectors.pool_member_get_for_coordination(user=request.user, code=code)
    services.insofa_update(member=member, actor=request.user, available=not member.available)
    return redirect("partners:pool_list")


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, code) -> HttpResponse:
    """One pool member: profile, availability, employer, contract and her login."""
    member = selectors.pool_member_get_for_coordination(user=request.user, code=code)
    choices = selectors.pool_edit_choices(user=request.user, member=member)
    form = PoolMemberEditForm(
        request.POST or None, initial=PoolMemberEditForm.initial_for(member), **choices
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.insofa_update(member=member, actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Angaben zur Fachkraft sind gespeichert."))
                return redirect("partners:pool_list")
    return render(
        request, "partners/pool_member_form.html", {"member": member, "form": form}, status=status
    )


# --- the coordination: network view --------------------------------------------------------------


@login_required
def network_view(request: HttpRequest) -> HttpResponse:
    """Per institution type and year: records, consultations, Mitteilungen; who never
    consults or reports; reaction times with small-cell suppression."""
    allowed = permissions.municipality_ids_for(
        request.user, permissions.VIEW, permissions.ANALYTICS
    )
    if not allowed:
        raise Http404(selectors.NOT_FOUND)
    communes = Municipality.objects.order_by("name")
    if allowed != permissions.ALL:
        communes = communes.filter(pk__in=allowed)
    municipality = communes.filter(slug=request.GET.get("municipality", "")).first() or (
        communes.filter(partner_records__isnull=False).first() or communes.first()
    )
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    overview = selectors.network_overview(user=request.user, municipality=municipality, year=year)
    times = selectors.reaction_times(
        user=request.user, municipality_ids=[municipality.pk], year=year
    )
    return render(
        request,
        "partners/network_view.html",
        {
            "communes": communes,
            "municipality": municipality,
            "year": year,
            "overview": overview,
            "times": times,
            "can_manage_pool": permissions.has_permission(
                request.user, permissions.ADD, permissions.NETWORK, municipality.pk
            ),
        },
    )


# --- the coordination: rules for the institutions ------------------------------------------------


def _rules_page(request: HttpRequest, municipality, settings_form=None, status: int = 200):
    communes = selectors.rules_communes_for_user(user=request.user)
    current = services.settings_for(municipality_id=municipality.pk)
    form = settings_form or SettingsForm(
        initial={
            "retention_years": current.retention_years,
            "sign_off_rule": current.sign_off_rule,
        }
    )
    return render(
        request,
        "partners/rules.html",
        {
            "municipality": municipality,
            "communes": communes,
            "settings_form": form,
            "agreements": selectors.agreements_with_terms(
                user=request.user, municipality=municipality
            ),
        },
        status=status,
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The coordination's rules for the institutions: the commune's retention period and
    default sign-off, and what each agreement says about feedback and sign-off."""
    communes = selectors.rules_communes_for_user(user=request.user)
    municipality = communes.filter(slug=request.GET.get("municipality", "")).first()
    municipality = municipality or communes.first()
    if municipality is None:
        raise Http404(selectors.NOT_FOUND)
    return _rules_page(request, municipality)


@login_required
@require_POST
def rules_settings(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = selectors.rules_commune_get(user=request.user, slug=slug)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.partner_settings_update(
                municipality=municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Die Regeln für Einrichtungen sind gespeichert."))
            return redirect(f"{reverse('partners:rules')}?municipality={municipality.slug}")
    return _rules_page(request, municipality, settings_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_terms_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = selectors.rules_commune_get(user=request.user, slug=slug)
    agreement = selectors.agreement_get_for_rules(
        user=request.user, municipality=municipality, pk=pk
    )
    terms = selectors.agreement_terms_of(agreement)
    initial = {}
    if terms is not None:
        initial = {
            "feedback_legal_basis": terms.feedback_legal_basis,
            "feedback_scope": terms.feedback_scope,
            "sign_off_rule": terms.sign_off_rule,
        }
    form = AgreementTermsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.agreement_terms_set(
                    agreement=agreement, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Die Regelung der Vereinbarung ist gespeichert."))
                return redirect(f"{reverse('partners:rules')}?municipality={municipality.slug}")
    return render(
        request,
        "partners/agreement_terms_form.html",
        {"municipality": municipality, "agreement": agreement, "terms": terms, "form": form},
        status=status,
    )


@login_required
@require_POST
def agreement_terms_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = selectors.rules_commune_get(user=request.user, slug=slug)
    agreement = selectors.agreement_get_for_rules(
        user=request.user, municipality=municipality, pk=pk
    )
    terms = selectors.agreement_terms_of(agreement)
    if terms is None:
        raise Http404(selectors.NOT_FOUND)
    services.agreement_terms_delete(terms=terms, actor=request.user)
    messages.success(
        request, _("Die Regelung ist entfernt; es gelten Gesetz und Regeln der Kommune.")
    )
    return redirect(f"{reverse('partners:rules')}?municipality={municipality.slug}")
