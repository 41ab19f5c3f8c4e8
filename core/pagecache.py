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
cookie, used no CSRF token and are not marked private or no-store. HTML pages carry a
per-visitor CSRF token (and a per-response CSP nonce), so they are never stored whole:
caching them would hand one visitor's token to the next.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
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
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in control
        and "no-store" not in control
    )


def _key(request: HttpRequest) -> str:
    parts = (
        str(public_generation()),
        request.get_full_path(),
        translation.get_language() or "",
        request.headers.get("HX-Request", ""),
        request.headers.get("Accept", ""),
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
                status, headers, content = hit
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                response["X-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _cacheable_response(request, response):
                headers = [(h, response[h]) for h in KEPT_HEADERS if h in response]
                cache.set(key, (response.status_code, headers, response.content), seconds)
                response["X-Cache"] = "miss"
            return response

        return wrapped

    return decorate
