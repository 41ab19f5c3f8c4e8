"""Cross-cutting pages: the personal start page and the audit views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import inbox, permissions
from core.forms import ApiTokenForm
from core.models import ApiToken
from core.selectors import access_logs_for_user, audit_events_for_user
from core.services import api_token_create, api_token_revoke


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
    return render(
        request,
        "core/dashboard.html",
        {
            "memberships": memberships,
            "can_audit": bool(can_audit),
            "sections": inbox.due_sections(user=request.user, today=timezone.localdate()),
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
