"""Request-scoped audit context."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_vary_headers

from core.choices import AuditSource
from core.context import change_context, is_untraced


class RequestContextMiddleware:
    """Give each request an id and a source (web or api) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        with change_context(source) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        # An anonymous reporter gets no id that a proxy log could tie to their address.
        if not is_untraced(request):
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


# Titles of the statuses Django or the resolver produce before an API view answers
# (German like the API's own problems; the status code is what a client acts on).
API_ERROR_TITLES = {
    400: "Ungültige Anfrage",
    401: "Nicht angemeldet",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    406: "Nicht annehmbar",
    409: "Konflikt",
    410: "Nicht mehr vorhanden",
    413: "Anfrage zu groß",
    415: "Medientyp nicht unterstützt",
    422: "Ungültige Eingabe",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    502: "Fehlerhafte Antwort des Servers",
    503: "Dienst nicht verfügbar",
}
API_ERROR_DETAILS = {
    404: "Unter dieser Adresse gibt es keine Schnittstelle. Siehe /api/v1/openapi.json.",
    405: "Diese Methode ist hier nicht erlaubt; erlaubt sind die im Allow-Kopf genannten.",
    413: "Die Anfrage ist größer als erlaubt.",
    500: "Die Anfrage konnte nicht bearbeitet werden; der Fehler ist protokolliert.",
}


class ApiProblemMiddleware:
    """Every error under ``/api/`` is ``application/problem+json``, whoever produced it.

    The API's own handlers (``core.api.install_problem_handlers``) answer what its views
    raise; this catches the rest: unknown paths (the URL resolver's 404), wrong methods
    (405 with ``Allow``), a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413),
    Django's 400/403/500 pages and errors of other middleware. It sits near the top of
    the stack so that the inner middleware's answers pass through it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(("application/problem+json", "application/json")):
            return response
        return self._problem(response.status_code, response)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """Errors raised before a view answers, e.g. while Django reads the request body."""
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exc, RequestDataTooBig):
            return self._problem(413)
        if isinstance(exc, MultiPartParserError):
            return self._problem(400)
        return None

    def _problem(self, status: int, original: HttpResponse | None = None) -> HttpResponse:
        from core.api import problem  # core.api imports ninja; keep it out of import time

        title = API_ERROR_TITLES.get(status, "Fehler")
        response = problem(status, title, API_ERROR_DETAILS.get(status, title + "."))
        if original is not None:  # Allow, WWW-Authenticate, security and cache headers
            for header, value in original.headers.items():
                if header.lower() not in ("content-type", "content-length"):
                    response[header] = value
        return response


class RequestSizeLimitMiddleware:
    """413 for a request whose Content-Length exceeds ``KSQM_MAX_UPLOAD_BYTES``.

    Django would first spool such an upload to a temporary file (a 50 GB body fills the
    disk before any view can refuse it); the declared length is checked before the body
    is read. Under ``/api/`` the answer becomes a problem (``ApiProblemMiddleware``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils.translation import gettext as _

        limit = settings.KSQM_MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            text = _("Die Anfrage ist größer als erlaubt (höchstens %(mb)d MB).") % {
                "mb": limit // (1024 * 1024)
            }
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
