"""Validators of links that the platform renders: only http(s) and site-relative paths.

A link field that accepts ``javascript:`` or ``data:`` is stored cross-site scripting: the
value becomes an ``href`` on a public page. Every URL field of the project uses one of
these validators, and templates pass stored links through the ``safe_url`` filter
(``core/templatetags/safe_links.py``) so that rows saved before the validators existed
are never rendered as a link either.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")

_absolute = URLValidator(schemes=list(WEB_SCHEMES))

__all__ = [
    "WEB_SCHEMES",
    "safe_href",
    "validate_http_url",
    "validate_link",
    "validate_website",
]

_MESSAGE = _("Nur Links mit http:// oder https:// sind erlaubt.")


def _has_control(value: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)


def validate_http_url(value: str) -> None:
    """An absolute http(s) URL (no ``javascript:``, ``data:``, ``ftp:`` …)."""
    if not value:
        return
    if _has_control(value) or urlsplit(value.strip()).scheme.lower() not in WEB_SCHEMES:
        raise ValidationError(_MESSAGE, code="scheme")
    _absolute(value)


def validate_website(value: str) -> None:
    """A commune's website as profiles write it: ``www.stadt.de`` or an http(s) URL."""
    if not value:
        return
    candidate = value.strip()
    if "://" not in candidate and ":" not in candidate.split("/", 1)[0]:
        candidate = f"https://{candidate}"
    validate_http_url(candidate)


def validate_link(value: str) -> None:
    """A link inside the platform (``/qualitaet/…``) or an absolute http(s) URL."""
    if not value:
        return
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        if _has_control(value):
            raise ValidationError(_MESSAGE, code="scheme")
        return
    validate_http_url(value)


def safe_href(value: object, *, bare_host: bool = False) -> str:
    """``value`` if it is safe as an ``href`` (http(s) or a site path), else "".

    With ``bare_host`` a value without scheme (``www.stadt.de``) becomes ``https://…``,
    as commune profiles write their websites.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    if bare_host and "://" not in text and ":" not in text.split("/", 1)[0]:
        if text.startswith("/"):
            return ""
        text = f"https://{text}"
    try:
        validate_link(text)
    except ValidationError:
        return ""
    return text
