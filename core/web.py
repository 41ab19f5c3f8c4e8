"""View plumbing every app shares: service errors onto forms, htmx partial or full page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def apply_errors(form: BaseForm, exc: ValidationError, *, prefix: str = "") -> None:
    """Show a service's ``ValidationError`` inline on ``form``.

    Errors keyed by a field of the form stand next to that field (``prefix`` + key, for
    forms whose field names are the service's keys with a prefix); errors keyed by
    anything else (another model field, ``__all__``) and plain messages stand above the
    form as non-field errors, so no message of the service is ever lost.
    """
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = f"{prefix}{key}"
            known = key != NON_FIELD_ERRORS and field in form.fields
            form.add_error(field if known else None, errors)
    else:
        form.add_error(None, exc.messages)


def error_text(exc: ValidationError) -> str:
    """All messages of a ``ValidationError`` as one sentence (for a message or a status)."""
    return " ".join(str(m) for m in exc.messages)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asks for a part of the page (a boosted link wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_partial_or_page(
    request: HttpRequest,
    template: str,
    fragment: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    partial: bool | None = None,
) -> HttpResponse:
    """Render ``template`` for a normal request, only its ``fragment`` partial for htmx.

    ``partial`` overrides the decision (e.g. an htmx request that targets the whole main
    area gets the page).
    """
    if partial is None:
        partial = is_htmx(request)
    name = f"{template}#{fragment}" if partial else template
    return render(request, name, context, status=status)
