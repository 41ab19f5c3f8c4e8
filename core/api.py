"""API building blocks: token authentication and RFC 7807 problem responses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

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
        return problem(exc.status_code, str(exc), str(exc))
