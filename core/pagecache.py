"""Cache for anonymous public responses, invalidated when public content changes.

The public read API (states, clusters, communes and their profiles, the early-help
directory, the learning library) is read far more often than it changes, by anyone and
without login. :func:`cache_public` keeps such responses in the shared cache (Redis when
``REDIS_URL`` is set, so every web instance profits and one change invalidates all).

Invalidation is by *generation*: every key contains a counter that any save or delete of
a model of the public apps increments (signals: STYLE §7.3 allows them for cache
invalidation), so a change is visible on the next request on every instance; ``timeout``
bounds what a bulk ``update()`` (which sends no signal) could leave stale.

Only anonymous GET/HEAD requests are cached, and only responses that are 200, set no
cookie of their own and are not marked private or no-store. An anonymous request that
carries a session or a pending message bypasses the cache (the page could show it).

HTML pages carry two per-response secrets: the visitor's CSRF token (the language switch
and htmx headers use it) and the Content-Security-Policy nonce. They are never stored:
before a page goes into the cache both are replaced by placeholders, and each response
served from the cache gets a fresh nonce (the CSP header is built from it as for any
page) and the visitor's own CSRF token (and cookie) put in. A page whose token cannot be
found and replaced is not cached at all.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

GENERATION_KEY = "ksqm:public:generation"
PUBLIC_APPS = frozenset({"registry", "profiles", "quality", "directory", "reviews", "network"})


def public_generation() -> int:
    """The current generation of public content (shared by all processes)."""
    return int(cache.get_or_set(GENERATION_KEY, 1, timeout=None))


def public_content_changed() -> None:
    """Invalidate every cached public response (called on any public-model change)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted: any new value invalidates old keys
        cache.set(GENERATION_KEY, public_generation() + 1, timeout=None)


def _on_change(sender: Any, **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is not None and meta.app_label in PUBLIC_APPS:
        public_content_changed()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"ksqm-pagecache-{signal!r}")


def _cacheable_request(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated)
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _cacheable_response(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


NONCE_MARK = b"\x00ksqm-csp-nonce\x00"
CSRF_MARK = b"\x00ksqm-csrf-token\x00"
# Where a page carries the CSRF token: the hidden form field and the htmx header JSON.
_CSRF_VALUE = re.compile(
    rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"'
    rb'|"X-CSRFToken": "([A-Za-z0-9]{32,64})"'
)


def _strip_secrets(request: HttpRequest, content: bytes) -> tuple[bytes, bool, bool] | None:
    """``content`` with nonce and CSRF tokens as placeholders; None: do not cache it."""
    nonce = getattr(request, "_csp_nonce", None)
    uses_nonce = isinstance(nonce, str) and nonce.encode() in content
    if uses_nonce:
        content = content.replace(nonce.encode(), NONCE_MARK)
    tokens = {m.group(1) or m.group(2) for m in _CSRF_VALUE.finditer(content)}
    for token in tokens:
        content = content.replace(token, CSRF_MARK)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not tokens:
        return None  # the page used the token somewhere we do not know: never store it
    return content, uses_nonce, bool(tokens)


def _fill_secrets(request: HttpRequest, content: bytes, nonce: bool, csrf: bool) -> bytes:
    if nonce:
        # Reading it makes the CSP middleware put this nonce into the header.
        content = content.replace(NONCE_MARK, str(request.csp_nonce).encode())
    if csrf:
        content = content.replace(CSRF_MARK, get_token(request).encode())
    return content


def _key(request: HttpRequest) -> str:
    parts = (
        str(public_generation()),
        request.get_full_path(),
        translation.get_language() or "",
        request.headers.get("HX-Request", ""),
        request.headers.get("Accept", ""),
        request.headers.get("HX-Target", ""),
    )
    return "ksqm:public:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Content-Disposition")


def cache_public(timeout: int | None = None) -> Callable:
    """View decorator: serve anonymous requests from the shared cache (see module doc).

    ``timeout`` defaults to ``settings.PUBLIC_CACHE_SECONDS``; 0 switches caching off.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            seconds = settings.PUBLIC_CACHE_SECONDS if timeout is None else timeout
            if not seconds or not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _key(request)
            hit = cache.get(key)
            if hit is not None:
                status, headers, content, nonce, csrf = hit
                response = HttpResponse(_fill_secrets(request, content, nonce, csrf), status=status)
                for name, value in headers:
                    response[name] = value
                response["X-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _cacheable_response(response):
                stripped = _strip_secrets(request, response.content)
                if stripped is not None:
                    content, nonce, csrf = stripped
                    headers = [(h, response[h]) for h in KEPT_HEADERS if h in response]
                    entry = (response.status_code, headers, content, nonce, csrf)
                    cache.set(key, entry, seconds)
                    response["X-Cache"] = "miss"
            return response

        return wrapped

    return decorate
