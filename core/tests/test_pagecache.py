"""Anonymous public API responses: cached, shared, invalidated on change, never personal."""

from __future__ import annotations

import re

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


# --- public HTML pages: cached without anyone's CSRF token or CSP nonce -------------------
HTML_PAGES = ("/", "/kommunen/", "/cluster/", "/fruehe-hilfen/", "/lernen/bibliothek/")
NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _nonce_in_header(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.parametrize("url", HTML_PAGES)
def test_public_html_page_is_served_from_the_cache_with_fresh_secrets(
    client, muni_a, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Cache"] == "hit"
    html1, html2 = first.content.decode(), second.content.decode()
    tokens = set(TOKEN.findall(html2))
    assert tokens and tokens.isdisjoint(TOKEN.findall(html1))
    assert "\x00" not in html2


def test_a_page_with_a_csp_nonce_gets_a_fresh_one_from_the_cache_that_its_header_allows(
    reference_data,
):
    from csp.middleware import CSPMiddleware
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    def page_with_script(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    stack = CSPMiddleware(pagecache.cache_public(timeout=300)(page_with_script))

    def visit():
        request = RequestFactory().get("/nonce-test/")
        request.user = AnonymousUser()
        return stack(request)

    first, second = visit(), visit()
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    for response in (first, second):
        (nonce,) = NONCE.findall(response.content.decode())
        assert nonce == _nonce_in_header(response)
    assert NONCE.findall(first.content.decode()) != NONCE.findall(second.content.decode())
    stored = cache.get(pagecache._key(RequestFactory().get("/nonce-test/")))[2]
    assert _nonce_in_header(first).encode() not in stored


def test_cached_page_holds_no_token_or_nonce_and_its_form_still_works(muni_a):
    from django.test import Client

    visitor_a, visitor_b = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first = visitor_a.get("/kommunen/")
    entry = cache.get(pagecache._key(_request_for("/kommunen/")))
    assert entry is not None
    stored = entry[2]
    for secret in [*NONCE.findall(first.content.decode()), *TOKEN.findall(first.content.decode())]:
        assert secret.encode() not in stored
    # Visitor B gets the page from the cache with a token of their own, which the form accepts.
    page = visitor_b.get("/kommunen/")
    assert page["X-Cache"] == "hit"
    token = TOKEN.search(page.content.decode()).group(1)
    switched = visitor_b.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    # Visitor A's token does not work for B (it was never handed to B).
    stolen = TOKEN.search(first.content.decode()).group(1)
    other = Client(enforce_csrf_checks=True)
    other.get("/kommunen/")
    refused = other.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": stolen})
    assert refused.status_code == 403


def _request_for(path: str):
    from django.test import RequestFactory
    from django.utils import translation

    translation.activate("de")
    request = RequestFactory().get(path)
    return request


def test_html_cache_follows_changes_language_and_login(client, muni_a, coordinator_a):
    assert muni_a.name in client.get("/kommunen/").content.decode()
    muni_a.name = "Stadt Neuname A"
    muni_a.save()
    fresh = client.get("/kommunen/")
    assert fresh["X-Cache"] == "miss" and "Stadt Neuname A" in fresh.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/kommunen/")
    assert english["X-Cache"] == "miss" and english["Content-Language"] == "en"
    client.force_login(coordinator_a)
    assert "X-Cache" not in client.get("/kommunen/")


def test_visitor_with_a_session_or_a_message_bypasses_the_html_cache(client, muni_a):
    client.get("/kommunen/")
    assert client.get("/kommunen/")["X-Cache"] == "hit"
    client.cookies["messages"] = "anything"
    assert "X-Cache" not in client.get("/kommunen/")
    del client.cookies["messages"]
    client.cookies["sessionid"] = "abc"
    assert "X-Cache" not in client.get("/kommunen/")
