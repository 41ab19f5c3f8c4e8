"""Spam protection for the anonymous near-miss form, without third-party services.

Three layers, none of which stores anything about the reporter:

* a rate limit in the cache, keyed on a salted hash of the client address. The salt
  changes every day and is derived from SECRET_KEY; the hash lives only as a cache key
  with a short expiry and is never written to the database or a log;
* a honeypot field that people don't see and bots fill in;
* a signed timestamp in the form: a form sent back faster than a person can type, or
  older than a few hours, or not issued by us, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

HONEYPOT_FIELD = "website"
_TOKEN_SALT = "reviews.incident-form"  # noqa: S105 – a signing namespace, not a secret


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def rate_limit() -> tuple[int, int]:
    """(submissions, window in seconds) allowed per client and commune."""
    return (
        _setting("REVIEWS_INCIDENT_RATE_LIMIT", 5),
        _setting("REVIEWS_INCIDENT_RATE_WINDOW", 3600),
    )


def min_fill_seconds() -> int:
    """Forms returned faster than this were not filled in by a person."""
    return _setting("REVIEWS_INCIDENT_MIN_FILL_SECONDS", 3)


def max_form_age() -> int:
    return _setting("REVIEWS_INCIDENT_MAX_FORM_AGE", 4 * 3600)


def client_key(client_address: str, scope: str) -> str:
    """A cache key for one client: HMAC(SECRET_KEY + today, address). Never stored."""
    day = timezone.now().date().isoformat()
    secret = f"{settings.SECRET_KEY}|reviews-rate|{day}".encode()
    digest = hmac.new(secret, f"{scope}|{client_address}".encode(), hashlib.sha256)
    return f"reviews:rate:{digest.hexdigest()[:32]}"


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def rate_limit_hit(*, client_address: str, scope: str) -> bool:
    """Count one submission; True when the client is over the limit (refuse it).

    The cache is Django's shared cache (Redis when ``REDIS_URL`` is set), so the count
    holds across all workers. Reports also count towards one bucket over *all* communes,
    so that a sender cannot multiply the limit by writing to every commune in turn.
    ``client_address`` is the address the trusted proxy reports (``core.net``).
    """
    limit, window = rate_limit()
    over = _hit(client_key(client_address, scope), window) > limit
    if scope.startswith("incident:"):
        total = _setting("REVIEWS_INCIDENT_RATE_LIMIT_ALL_COMMUNES", 2 * limit)
        over = _hit(client_key(client_address, "incident:*"), window) > total or over
    return over


def form_token(scope: str) -> str:
    """A signed token naming the form and the moment it was shown."""
    return signing.dumps({"s": scope, "t": int(time.time())}, salt=_TOKEN_SALT)


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    reason: str = ""


def check_form_token(token: str, scope: str) -> TokenCheck:
    """Whether ``token`` was issued by us for ``scope``, long enough ago and not too long."""
    try:
        data = signing.loads(token or "", salt=_TOKEN_SALT, max_age=max_form_age())
    except signing.SignatureExpired:
        return TokenCheck(False, "expired")
    except signing.BadSignature:
        return TokenCheck(False, "invalid")
    if not isinstance(data, dict) or data.get("s") != scope:
        return TokenCheck(False, "invalid")
    if time.time() - int(data.get("t", 0)) < min_fill_seconds():
        return TokenCheck(False, "too_fast")
    return TokenCheck(True)
