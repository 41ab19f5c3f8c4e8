"""Request-scoped audit context."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from core.choices import AuditSource
from core.context import change_context


class RequestContextMiddleware:
    """Give each request an id and a source (web or api) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        with change_context(source) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = str(ctx.request_id)
        return response


# Paths whose responses carry social data even before (or without) a session user:
# case, review and partner pages and their API; the login and account pages.
NO_STORE_PREFIXES = (
    "/verfahren/",
    "/lernen/",
    "/netzwerk/",
    "/partner/",
    "/protokoll/",
    "/konto/",
    "/anmelden/",
    "/admin/",
    "/api/v1/cases",
    "/api/v1/reviews",
    "/api/v1/findings",
    "/api/v1/incident-reports",
    "/api/v1/partner",
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; ``Cache-Control: no-store`` wherever social
    data may be in the body.

    Every response to a logged-in user (session or API token) is personal and may show
    case, review or partner data, so no browser, proxy or back/forward cache keeps it.
    Public pages for anonymous visitors stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "KSQM_PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        user = getattr(request, "user", None)
        personal = bool(user is not None and user.is_authenticated)
        if personal or request.path.startswith(NO_STORE_PREFIXES):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response
