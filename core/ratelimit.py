"""Counters in Django's shared cache (Redis when ``REDIS_URL`` is set, see settings).

Every web and worker process sees the same counts, so a limit cannot be dodged by
landing on another worker. ``cache.add`` + ``cache.incr`` are atomic on Redis and on the
local-memory cache; a key that expired between the two calls simply starts again.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def bucket_key(namespace: str, *parts: str) -> str:
    """A cache key that does not contain the address or name it counts (HMAC with the
    secret key), so a cache dump reveals no IP addresses or login names."""
    digest = hmac.new(
        f"{settings.SECRET_KEY}|ratelimit|{namespace}".encode(),
        "|".join(parts).encode(),
        hashlib.sha256,
    )
    return f"ksqm:rl:{namespace}:{digest.hexdigest()[:40]}"


def hit(key: str, *, window: int) -> int:
    """Count one event in ``key``; returns the count inside the current window."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def count(key: str) -> int:
    return int(cache.get(key) or 0)


def reset(key: str) -> None:
    cache.delete(key)


def touch(key: str, *, window: int) -> None:
    """Restart the window of ``key`` keeping its count (used by lockouts that should last
    from the *last* failure)."""
    cache.touch(key, timeout=window)
