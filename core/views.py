"""Cross-cutting pages: the personal start page and the audit views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import permissions
from core.selectors import access_logs_for_user, audit_events_for_user


def forbidden_unless(allowed: bool) -> None:
    """403 for a logged-in user who may see the page but not act (healthchecks' rule)."""
    if not allowed:
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("municipality").order_by(
        "municipality__name", "role"
    )
    can_audit = permissions.municipality_ids_for(
        request.user, permissions.VIEW_AUDIT, permissions.AUDIT
    )
    return render(
        request,
        "core/dashboard.html",
        {"memberships": memberships, "can_audit": bool(can_audit)},
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
