"""Cross-cutting pages: the personal start page and the audit views."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import inbox, permissions
from core.choices import MembershipRequestStatus
from core.forms import ApiTokenForm, DecisionForm, MembershipRequestForm
from core.models import ApiToken, Membership
from core.selectors import (
    access_logs_for_user,
    audit_events_for_user,
    membership_requests_for_user,
    memberships_for_user,
)
from core.services import (
    api_token_create,
    api_token_revoke,
    membership_request_confirm,
    membership_request_create,
    membership_request_reject,
    membership_revoke,
    user_language_set,
)
from core.web import error_text


def forbidden_unless(allowed: bool) -> None:
    """403 for a logged-in user who may see the page but not act (healthchecks' rule)."""
    if not allowed:
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Mein Bereich: what is due and waiting for the user, from every app (core.inbox)."""
    memberships = request.user.memberships.select_related("municipality").order_by(
        "municipality__name", "role"
    )
    can_audit = permissions.municipality_ids_for(
        request.user, permissions.VIEW_AUDIT, permissions.AUDIT
    )
    can_manage_members = bool(
        permissions.municipality_ids_for(request.user, permissions.MANAGE_MEMBERS, "members")
    )
    pending_requests = (
        membership_requests_for_user(user=request.user)
        .filter(status=MembershipRequestStatus.PENDING)
        .count()
        if can_manage_members
        else 0
    )
    return render(
        request,
        "core/dashboard.html",
        {
            "memberships": memberships,
            "can_audit": bool(can_audit),
            "sections": inbox.due_sections(user=request.user, today=timezone.localdate()),
            "can_manage_members": can_manage_members,
            "pending_requests": pending_requests,
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail and the case read log, for data protection and administration."""
    allowed = permissions.municipality_ids_for(
        request.user, permissions.VIEW_AUDIT, permissions.AUDIT
    )
    forbidden_unless(bool(allowed))
    tab = "reads" if request.GET.get("tab") == "reads" else "changes"
    qs = (
        access_logs_for_user(user=request.user)
        if tab == "reads"
        else audit_events_for_user(user=request.user)
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "tab": tab})


@login_required
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: create (shown once) and revoke."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            actor=request.user,
            valid_days=form.cleaned_data["valid_days"],
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "core/api_token_list.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def api_token_delete(request: HttpRequest, code: str) -> HttpResponse:
    # Scoped to the owner: someone else's token id is simply not found.
    token = get_object_or_404(ApiToken, code=code, user=request.user)
    api_token_revoke(token=token, actor=request.user)
    return redirect("core:api_token_list")


@login_required
@require_http_methods(["GET", "POST"])
def membership_list(request: HttpRequest) -> HttpResponse:
    """Members and role requests of the communes the user manages (coordination, admins).

    Roles that open social data given by an administrator wait here until the commune's
    coordination confirms; a coordinator's own role needs a colleague.
    """
    allowed = permissions.municipality_ids_for(request.user, permissions.MANAGE_MEMBERS, "members")
    forbidden_unless(bool(allowed))
    # The commune model by relation: core does not import the domain apps.
    municipality_model = Membership._meta.get_field("municipality").related_model
    municipalities = municipality_model.objects.order_by("name")
    if allowed != permissions.ALL:
        municipalities = municipalities.filter(pk__in=allowed)
    form = MembershipRequestForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        municipality = municipalities.get(pk=form.cleaned_data["municipality"])
        try:
            result = membership_request_create(
                user=form.cleaned_data["username"],
                municipality=municipality,
                role=form.cleaned_data["role"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.status == MembershipRequestStatus.PENDING:
                messages.info(
                    request,
                    _("Der Antrag wartet auf die Bestätigung durch eine zweite Person."),
                )
            else:
                messages.success(request, _("Die Rolle ist vergeben."))
            return redirect("core:membership_list")
    return render(
        request,
        "core/membership_list.html",
        {
            "form": form,
            "pending": membership_requests_for_user(user=request.user).filter(
                status=MembershipRequestStatus.PENDING
            ),
            "memberships": memberships_for_user(user=request.user),
        },
    )


@login_required
@require_POST
def membership_request_decide(request: HttpRequest, code: str, decision: str) -> HttpResponse:
    # Scoped: a request of a commune one does not manage is simply not found.
    item = get_object_or_404(membership_requests_for_user(user=request.user), code=code)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "bestaetigen":
            membership_request_confirm(request=item, actor=request.user, note=note)
            messages.success(request, _("Bestätigt: die Rolle ist vergeben."))
        else:
            membership_request_reject(request=item, actor=request.user, note=note)
            messages.success(request, _("Der Antrag ist abgelehnt."))
    except PermissionDenied:
        messages.error(
            request,
            _("Bestätigen muss eine zweite Person der Koordination dieser Kommune."),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("core:membership_list")


@login_required
@require_POST
def membership_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(memberships_for_user(user=request.user), pk=pk)
    membership_revoke(membership=membership, actor=request.user, reason=_("Rolle entzogen"))
    messages.success(request, _("Die Rolle wurde entzogen."))
    return redirect("core:membership_list")


def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice also governs their e-mails."""
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        user_language_set(user=request.user, language=language)
    return response
