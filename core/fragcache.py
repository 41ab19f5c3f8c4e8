"""Rendered fragments of signed-in pages, kept in this process's memory only.

The case list is read far more often than its procedures change, but its rows are social
data (file numbers, urgency, the assessment's result). Such HTML never goes into the
shared cache (Redis may write it to disk): each web process keeps the fragments it
rendered itself in a small bounded LRU (:class:`FragmentCache`).

What keeps several processes and machines correct is the *data version*: a random token
per scope (e.g. ``cases:<commune id>``) in the shared cache, part of every fragment's key.
Any write to the data behind a scope replaces the token (:func:`data_changed`), so every
process misses on its next request and renders afresh. Random tokens, not counters: a
cache that lost its keys (restart, eviction) hands out new tokens and can never repeat
an old one, so an old fragment can never match again.

The caller builds the rest of the key from everything else the HTML depends on (the
user's scope as ids, the query string, the language); who may see a fragment is
decided before the lookup, by the same selectors as without the cache. A fragment
whose content depends on the clock (an "überfällig" badge) is stored with the moment
it turns stale (``valid_until``).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

VERSION_KEY = "ksqm:data-version:"
# A scope in every fragment's key: replacing its token drops every fragment of every process
# (a restore replaces all data at once).
EVERYTHING = "*"


def data_versions(scopes: Iterable[str]) -> tuple[str, ...]:
    """The current tokens of ``scopes`` (one shared-cache round trip when all are set)."""
    keys = [VERSION_KEY + scope for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    # A cache that keeps nothing (DummyCache, a failing backend) yields a fresh token per
    # call: every lookup misses, which is slow but never stale.
    return tuple(str(found.get(key) or uuid.uuid4().hex) for key in keys)


def _bump(scopes: tuple[str, ...]) -> None:
    cache.set_many({VERSION_KEY + scope: uuid.uuid4().hex for scope in scopes}, timeout=None)


def data_changed(scopes: Iterable[str]) -> None:
    """Invalidate every process's fragments of ``scopes``: now and again after commit.

    Now, so that this request (and a test inside a transaction) sees the change; after
    commit, because a request in another process may have read the new token before the
    commit and stored a fragment of the old rows under it.
    """
    scopes = tuple(sorted(set(scopes)))
    if not scopes:
        return
    _bump(scopes)
    transaction.on_commit(lambda: _bump(scopes))


def everything_changed() -> None:
    """Invalidate every fragment of every process (after a restore of the whole database)."""
    data_changed([EVERYTHING])


class FragmentCache:
    """A bounded, thread-safe LRU of rendered HTML (or what it was rendered from) in this
    process's memory."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Any, dt.datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: dt.datetime) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, valid_until = entry
            if valid_until is not None and valid_until <= now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: Hashable, value: Any, valid_until: dt.datetime | None) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = (value, valid_until)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


fragments = FragmentCache(getattr(settings, "KSQM_FRAGMENT_CACHE_ENTRIES", 500))


def cached_fragment(
    key: Hashable,
    *,
    scopes: Iterable[str],
    render: Callable[[], tuple[str, dt.datetime | None]],
    now: dt.datetime | None = None,
) -> str:
    """The HTML for ``key`` at the current data version of ``scopes``, rendered if needed.

    ``render`` returns the HTML and the moment it turns stale (None: only a data change
    makes it stale). ``key`` must hold everything else the HTML depends on.
    """
    now = now or timezone.now()
    full_key = (key, data_versions((EVERYTHING, *scopes)))
    html = fragments.get(full_key, now)
    if html is not None:
        return html
    if fragments.max_entries <= 0:
        return render()[0]
    # One rendering per key at a time in this process: after a write (or a restart) the
    # threads that miss together wait for the first one instead of all running the same
    # count and page queries side by side.
    with _locks_guard:
        lock = _render_locks.setdefault(full_key, threading.Lock())
    try:
        with lock:
            html = fragments.get(full_key, now)
            if html is None:
                html, valid_until = render()
                fragments.set(full_key, html, valid_until)
    finally:
        with _locks_guard:
            _render_locks.pop(full_key, None)
    return html


_render_locks: dict[Hashable, threading.Lock] = {}
_locks_guard = threading.Lock()
