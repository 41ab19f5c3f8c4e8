"""The signed-in user as every request needs it, kept per process between changes.

Each signed-in request used to load the same rows before its view ran: the user, the
second-factor device the session passed, the user's roles and (for case pages) teams.
On PostgreSQL those four queries cost 1.6 ms of a 4.4 ms case-list request
(bench/load.py). They change rarely, so each web process keeps them in a bounded LRU
(:data:`snapshots`), like the rendered fragments of :mod:`core.fragcache`, and under the
same rule: the key holds a random *data version* per user from the shared cache.

Any save or delete of the user, a membership, a team membership or a second-factor
device replaces that user's version (signals, now and again after commit; see
``connect_signals``), so a removed role, a deactivated account or a deleted device
takes effect on the very next request in every process and on every machine. A restore
replaces the global version. Changes that bypass the ORM's signals (SQL typed into the
database) reach every process after :data:`MAX_AGE` at the latest.

What the snapshot holds is immutable (field values, tuples, read-only mappings): every
request builds its own model instances from it, so no two threads share an object.
Other apps add what they need per user with :func:`register_part`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import fragcache

# Changes outside the ORM (no signal) are seen after this long at the latest.
MAX_AGE = dt.timedelta(seconds=60)

_parts: dict[str, Callable[[Any], Any]] = {}


def register_part(name: str, loader: Callable[[Any], Any]) -> None:
    """Keep ``loader(user)`` in the snapshot as ``name``; it must return an immutable value.

    The app that registers a part also makes the user's version change when the part's
    rows change (:func:`user_changed` or :func:`watch`).
    """
    _parts[name] = loader


def scope(user_id: int) -> str:
    """The data-version scope of one user's snapshot."""
    return f"user:{user_id}"


def user_changed(user_ids: Iterable[int | None]) -> None:
    """Every process loads these users afresh on their next request."""
    fragcache.data_changed(scope(u) for u in user_ids if u is not None)


def watch(model: type[Model], user_ids: Callable[[Any], Iterable[int | None]]) -> None:
    """Replace the version of ``user_ids(instance)`` whenever ``model`` is saved or deleted."""

    def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        user_changed(user_ids(instance))

    uid = f"ksqm-principal-{model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-saved")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-deleted")


@dataclass(frozen=True)
class Snapshot:
    field_names: tuple[str, ...]
    values: tuple[Any, ...]
    parts: MappingProxyType


snapshots = fragcache.FragmentCache(getattr(settings, "KSQM_PRINCIPAL_CACHE_ENTRIES", 2000))


def load_user(user_id: Any) -> Any | None:
    """The user with primary key ``user_id`` (a fresh instance) or None, parts attached."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)
    except ValidationError:  # a tampered session holds no valid key
        return None
    now = timezone.now()
    # The version is read before the rows: a change committed in between replaces it
    # again after its commit, so what is stored below can never be found afterwards.
    key = (pk, fragcache.data_versions((fragcache.EVERYTHING, scope(pk))))
    snapshot = snapshots.get(key, now)
    if snapshot is None:
        try:
            user = user_model._default_manager.get(pk=pk)
        except user_model.DoesNotExist:
            return None
        fields = user_model._meta.concrete_fields
        snapshot = Snapshot(
            field_names=tuple(f.attname for f in fields),
            values=tuple(getattr(user, f.attname) for f in fields),
            parts=MappingProxyType({name: load(user) for name, load in _parts.items()}),
        )
        snapshots.set(key, snapshot, now + MAX_AGE)
    user = user_model.from_db(DEFAULT_DB_ALIAS, snapshot.field_names, snapshot.values)
    user._ksqm_principal = snapshot.parts
    return user


def part(user: Any, name: str) -> Any | None:
    """The snapshot's ``name`` for ``user``, or None when ``user`` was loaded otherwise."""
    parts = getattr(user, "_ksqm_principal", None)
    if parts is None:
        return None
    return parts.get(name)
