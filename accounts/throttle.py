"""Login throttling and lockout, shared by every worker through Django's cache.

Three counters of failed logins, each with its own limit (settings ``KSQM_LOGIN_*``):

* name + address: someone guessing one account's password from one machine;
* name from anywhere: a distributed guess at one account;
* address for any name: password spraying from one machine over many accounts.

When one of them is over its limit the login is refused *before* the password is
checked, for ``KSQM_LOGIN_LOCKOUT_SECONDS`` after the last failure, so the right password
does not get in either. A successful login clears the name's counters. Names and
addresses only appear as HMACs in cache keys (``core.ratelimit.bucket_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from core import ratelimit
from core.net import client_address


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int


def _name(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def _buckets(username: str, address: str) -> list[Bucket]:
    name = _name(username)
    return [
        Bucket(
            ratelimit.bucket_key("login-name-addr", name, address),
            settings.KSQM_LOGIN_FAILURES_PER_NAME_AND_ADDRESS,
        ),
        Bucket(ratelimit.bucket_key("login-name", name), settings.KSQM_LOGIN_FAILURES_PER_NAME),
        Bucket(
            ratelimit.bucket_key("login-addr", address), settings.KSQM_LOGIN_FAILURES_PER_ADDRESS
        ),
    ]


def request_address(request: HttpRequest | None) -> str:
    """The client address of a login attempt; "" when there is no request (CLI, tests)."""
    return client_address(request) if request is not None else ""


def is_locked(username: str, request: HttpRequest | None) -> bool:
    """Whether a login for ``username`` from this client is refused right now."""
    address = request_address(request)
    return any(b.limit and ratelimit.count(b.key) >= b.limit for b in _buckets(username, address))


def record_failure(username: str, request: HttpRequest | None) -> bool:
    """Count one failed login; True when exactly this failure locked a name or address."""
    address = request_address(request)
    window = settings.KSQM_LOGIN_LOCKOUT_SECONDS
    locked = False
    for bucket in _buckets(username, address):
        # Every failure restarts the window: a guesser who keeps trying stays locked out.
        count = ratelimit.hit(bucket.key, window=window)
        ratelimit.touch(bucket.key, window=window)
        # Audit the moment of locking once, not every refused attempt after it.
        locked = locked or bool(bucket.limit and count == bucket.limit)
    return locked


def record_success(username: str, request: HttpRequest | None) -> None:
    """A successful login clears the name's own counters (not the address's spray count)."""
    address = request_address(request)
    for bucket in _buckets(username, address)[:2]:
        ratelimit.reset(bucket.key)
