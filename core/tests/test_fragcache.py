"""core.fragcache: the per-process fragment store and the shared data versions; the menu
cached per set of roles (core.context_processors)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.cache.backends.dummy import DummyCache
from django.utils import translation

from core import fragcache
from core.choices import Role
from core.context_processors import navigation_menu_html
from core.models import Membership

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_lru_keeps_at_most_max_entries_and_drops_the_oldest():
    store = fragcache.FragmentCache(2)
    store.set("a", "A", None)
    store.set("b", "B", None)
    assert store.get("a", NOW) == "A"  # a is now the most recent
    store.set("c", "C", None)
    assert store.get("b", NOW) is None
    assert store.get("a", NOW) == "A" and store.get("c", NOW) == "C"
    assert len(store) == 2


def test_entry_turns_stale_at_valid_until():
    store = fragcache.FragmentCache(10)
    store.set("k", "html", NOW + dt.timedelta(minutes=5))
    assert store.get("k", NOW) == "html"
    assert store.get("k", NOW + dt.timedelta(minutes=5)) is None
    assert store.get("k", NOW) is None  # dropped, not resurrected


def test_zero_entries_switches_the_store_off():
    store = fragcache.FragmentCache(0)
    store.set("k", "html", None)
    assert store.get("k", NOW) is None


@pytest.mark.django_db
def test_versions_are_shared_stable_and_replaced_on_change():
    first = fragcache.data_versions(["x:1", "x:2"])
    assert fragcache.data_versions(["x:1", "x:2"]) == first
    fragcache.data_changed(["x:2"])
    second = fragcache.data_versions(["x:1", "x:2"])
    assert second[0] == first[0] and second[1] != first[1]


def test_lost_versions_never_come_back_as_an_old_token():
    old = fragcache.data_versions(["x:1"])
    cache.clear()  # a restarted or evicting cache
    assert fragcache.data_versions(["x:1"]) != old


@pytest.mark.django_db
def test_cached_fragment_renders_once_per_version():
    calls = []

    def render():
        calls.append(1)
        return f"<p>{len(calls)}</p>", None

    fragcache.fragments.clear()
    assert fragcache.cached_fragment(("t",), scopes=["x:9"], render=render) == "<p>1</p>"
    assert fragcache.cached_fragment(("t",), scopes=["x:9"], render=render) == "<p>1</p>"
    fragcache.data_changed(["x:9"])
    assert fragcache.cached_fragment(("t",), scopes=["x:9"], render=render) == "<p>2</p>"


def test_everything_changed_drops_the_fragments_of_every_scope(db):
    calls = []

    def render():
        calls.append(1)
        return f"<p>{len(calls)}</p>", None

    fragcache.fragments.clear()
    assert fragcache.cached_fragment(("a",), scopes=["x:1"], render=render) == "<p>1</p>"
    assert fragcache.cached_fragment(("b",), scopes=["y:2"], render=render) == "<p>2</p>"
    fragcache.data_changed(["x:1"])  # one scope: the other fragment stays
    assert fragcache.cached_fragment(("b",), scopes=["y:2"], render=render) == "<p>2</p>"
    fragcache.everything_changed()  # e.g. after a restore
    assert fragcache.cached_fragment(("b",), scopes=["y:2"], render=render) == "<p>3</p>"
    assert fragcache.cached_fragment(("a",), scopes=["x:1"], render=render) == "<p>4</p>"


def test_a_cache_that_keeps_nothing_means_always_render(monkeypatch):
    monkeypatch.setattr(fragcache, "cache", DummyCache("", {}))
    calls = []

    def render():
        calls.append(1)
        return "x", None

    fragcache.cached_fragment(("d",), scopes=["x:1"], render=render)
    fragcache.cached_fragment(("d",), scopes=["x:1"], render=render)
    assert len(calls) == 2


@pytest.mark.django_db
def test_menu_is_per_set_of_roles_and_language(caseworker_a, coordinator_a, muni_b):
    with translation.override("de"):
        caseworker = str(navigation_menu_html(caseworker_a))
        coordinator = str(navigation_menu_html(coordinator_a))
    assert "/verfahren/" in caseworker and "/verfahren/" not in coordinator
    with translation.override("en"):
        assert str(navigation_menu_html(caseworker_a)) != caseworker
    # A new role changes the menu at once (memberships are read per request).
    Membership.objects.create(user=coordinator_a, municipality=muni_b, role=Role.CASEWORKER)
    coordinator_a.__dict__.pop("_ksqm_memberships", None)
    with translation.override("de"):
        assert "/verfahren/" in str(navigation_menu_html(coordinator_a))


def test_threads_that_miss_together_render_once():
    import threading
    import time

    calls = []

    def render():
        calls.append(1)
        time.sleep(0.2)
        return "<p>once</p>", None

    fragcache.fragments.clear()
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                fragcache.cached_fragment(("herd",), scopes=["x:5"], render=render)
            )
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["<p>once</p>"] * 4 and len(calls) == 1
