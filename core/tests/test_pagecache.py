"""Anonymous public API responses: cached, shared, invalidated on change, never personal."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core import pagecache
from registry.models import Municipality

pytestmark = pytest.mark.django_db
URL = "/api/v1/municipalities"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_second_anonymous_read_comes_from_the_cache(client, muni_a, django_assert_num_queries):
    first = client.get(URL)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(URL)
    assert second["X-Cache"] == "hit" and second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]


def test_a_change_is_visible_on_the_next_request(client, muni_a, muni_b):
    names = {m["name"] for m in client.get(URL).json()}
    assert muni_a.name in names
    muni_a.name = "Stadt Umbenannt A"
    muni_a.save()
    fresh = client.get(URL)
    assert fresh["X-Cache"] == "miss"
    assert "Stadt Umbenannt A" in {m["name"] for m in fresh.json()}
    Municipality.objects.filter(pk=muni_b.pk).delete()
    assert muni_b.name not in {m["name"] for m in client.get(URL).json()}


def test_detail_and_query_strings_are_cached_separately(client, muni_a, muni_b):
    a = client.get(f"/api/v1/municipalities/{muni_a.slug}").json()
    b = client.get(f"/api/v1/municipalities/{muni_b.slug}").json()
    assert a["name"] != b["name"]
    assert client.get(f"{URL}?q=Musterstadt").json() != client.get(f"{URL}?q=Beispiel").json()


def test_logged_in_and_token_requests_bypass_the_cache(client, coordinator_a):
    client.get(URL)
    assert "X-Cache" not in client.get(URL, HTTP_AUTHORIZATION="Bearer ksqm_x")
    client.force_login(coordinator_a)
    assert "X-Cache" not in client.get(URL)


def test_errors_and_unsafe_methods_are_not_cached(client, reference_data):
    assert client.get("/api/v1/municipalities/gibt-es-nicht").status_code == 404
    again = client.get("/api/v1/municipalities/gibt-es-nicht")
    assert again.status_code == 404 and "X-Cache" not in again


def test_other_apps_do_not_invalidate(muni_a):
    from core.audit import audit_record

    before = pagecache.public_generation()
    audit_record(actor=None, action="update", target=None, target_repr="y")
    assert pagecache.public_generation() == before
    muni_a.save()
    assert pagecache.public_generation() == before + 1


def test_switched_off_with_zero(client, settings, muni_a):
    settings.PUBLIC_CACHE_SECONDS = 0
    client.get(URL)
    assert "X-Cache" not in client.get(URL)
