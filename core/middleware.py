"""Request-scoped audit context."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
