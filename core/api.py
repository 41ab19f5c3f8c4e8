"""API building blocks: token authentication and RFC 7807 problem responses."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import AfterValidator

from core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ksqm_…``: a personal token bound to one user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class OptionalTokenAuth(TokenAuth):
    """Public read endpoints: a token is welcome (it may widen what is visible), not needed."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return True  # anonymous
        user = super().__call__(request)
        if user is None:
            raise AuthenticationError()
        return user


logger = logging.getLogger("ksqm.api")


def _aware(value: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(value) if timezone.is_naive(value) else value


# An input date-time: without an offset it is the commune's local time (as in the UI),
# never a naive value that breaks the first comparison with a stored one.
LocalDateTime = Annotated[dt.datetime, AfterValidator(_aware)]

token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()


def problem(status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    """An RFC 7807 ``application/problem+json`` response."""
    import json

    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/problem+json",
    )


PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 7807 problem (application/problem+json).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
ERROR_DESCRIPTIONS = {
    400: "Der Rumpf ist kein gültiges JSON",
    401: "Kein oder kein gültiges API-Token",
    403: "Die Rolle erlaubt diese Aktion nicht",
    404: "Nicht gefunden oder nicht sichtbar",
    409: "Konflikt mit dem aktuellen Stand",
    410: "Nicht mehr verfügbar",
    413: "Anfrage zu groß",
    422: "Ungültige Eingabe (die Felder sind in errors genannt)",
    429: "Zu viele Anfragen",
}
# Statuses that only some operations answer, beyond the rules in ``document_errors``.
EXTRA_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/v1/incident-reports"): (429,),
    ("get", "/api/v1/incident-reports/{receipt_code}"): (429,),
    ("get", "/api/v1/evaluations/answer/{token}"): (409, 410),
    ("put", "/api/v1/evaluations/answer/{token}/draft"): (409, 410),
    ("post", "/api/v1/evaluations/answer/{token}"): (409, 410),
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem+json error responses every operation can give to the document.

    The rules follow the handlers above: 422 for any input, 401 and 403 where a token is
    accepted, 404 where the path or a filter names a record, 413 where there is a body.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", PROBLEM_SCHEMA)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = {404}  # an unknown id in the path, or a filter naming an unknown record
            if operation.get("parameters") or operation.get("requestBody"):
                codes.add(422)
            if operation.get("security"):
                codes |= {401, 403}
            if operation.get("requestBody"):
                codes |= {400, 413}
            codes |= set(EXTRA_ERRORS.get((method, path), ()))
            # ninja keys declared statuses by int (``response={409: …}``): one string key
            # each, or the document would carry "409" twice (Swagger UI refuses it).
            responses = {}
            for key, value in operation["responses"].items():
                responses.setdefault(str(key), {}).update(value)
            operation["responses"] = responses
            # Errors an operation declares itself (e.g. 409) are problems as well.
            codes |= {int(c) for c in responses if str(c).isdigit() and int(c) >= 400}
            for code in sorted(codes):
                entry = responses.setdefault(str(code), {})
                if not entry.get("description") or entry["description"] == "OK":
                    entry["description"] = ERROR_DESCRIPTIONS.get(code, "Fehler")
                entry["content"] = {"application/problem+json": {"schema": ref}}
    return schema


class _Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Before 1893 German time was local mean time (Berlin +00:53:28); an offset with
        # seconds is not RFC 3339 and no client reads it, so such instants go out in UTC.
        offset = o.utcoffset() if isinstance(o, dt.datetime) else None
        if offset is not None and offset % dt.timedelta(minutes=1):
            o = o.astimezone(dt.UTC)
        return super().default(o)


class ProblemJSONRenderer(JSONRenderer):
    """JSON with RFC 3339 date-times (see ``_Encoder``)."""

    encoder_class = _Encoder


class ProblemNinjaAPI(NinjaAPI):
    """The project's NinjaAPI: its OpenAPI document lists every operation's error answers,
    and its date-times are RFC 3339 (no local-mean-time offsets before 1893)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", ProblemJSONRenderer())
        super().__init__(*args, **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error the API returns is a problem+json body with a clear message."""

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", []) if p not in ("body", "query")),
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return problem(
            422, "Ungültige Eingabe", "Die Anfrage enthält ungültige Felder.", errors=errors
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "message_dict"):
            errors = [
                {"field": field, "message": " ".join(str(m) for m in messages)}
                for field, messages in exc.message_dict.items()
            ]
        else:
            errors = [{"field": "", "message": str(m)} for m in exc.messages]
        return problem(
            422, "Ungültige Eingabe", errors[0]["message"] if errors else "", errors=errors
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(403, "Keine Berechtigung", "Ihre Rolle erlaubt diese Aktion nicht.")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "Nicht gefunden", str(exc) or "Nicht gefunden.")

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(401, "Nicht angemeldet", "Ein gültiges API-Token ist nötig.")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        from core.middleware import API_ERROR_TITLES

        title = API_ERROR_TITLES.get(exc.status_code, str(exc))
        if str(exc) == "Cannot parse request body":  # ninja's own words for broken JSON
            return problem(400, title, "Der Rumpf der Anfrage ist kein gültiges JSON.")
        return problem(exc.status_code, title, str(exc))

    @api.exception_handler(OverflowError)
    def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # An integer beyond 64 bit in a path or filter: SQLite refuses to bind it.
        return problem(422, "Ungültige Eingabe", "Eine Zahl liegt außerhalb des gültigen Bereichs.")

    @api.exception_handler(DataError)
    def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        # PostgreSQL's answer to the same (numeric value out of range, value too long).
        return problem(422, "Ungültige Eingabe", "Ein Wert liegt außerhalb des gültigen Bereichs.")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(413, "Anfrage zu groß", "Die Anfrage ist größer als erlaubt.")

    @api.exception_handler(Exception)
    def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not the client's fault: logged with its trace, answered without it.
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(
            500,
            "Interner Fehler",
            "Die Anfrage konnte nicht bearbeitet werden; der Fehler ist protokolliert.",
        )
