"""Every URL of every app, tried by an anonymous visitor and by a member of another commune.

NetBox's generic view tests in miniature: whatever an app adds, an anonymous request must
end in a public page, a login redirect, 401/403/404/405 — never a server error, and never
a private page. Dummy arguments stand in for path parameters.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

DUMMY = {
    "int": "999999",
    "slug": "gibt-es-nicht",
    "uuid": str(uuid.UUID(int=0)),
    "str": "x",
    "path": "x",
}
SKIP_PREFIXES = ("admin/", "api/", "i18n/", "static/", "media/")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str) -> str | None:
    import re

    if route.startswith("^") or "(?P" in route:
        return None

    def fill(match):
        converter = match.group(1) or "str"
        return DUMMY.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


ROUTES = sorted(
    {
        url
        for route, _ in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIP_PREFIXES) and (url := _concrete(route))
    }
)


@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_never_gets_a_server_error_or_private_page(client, db, url):
    response = client.get(url)
    assert response.status_code in (200, 302, 401, 403, 404, 405), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith(("/anmelden/", "/")), response["Location"]


@pytest.mark.parametrize("url", ROUTES)
def test_member_of_another_commune_never_gets_a_server_error(client, caseworker_b, url):
    client.force_login(caseworker_b)
    response = client.get(url)
    assert response.status_code in (200, 302, 400, 403, 404, 405), response.status_code


def test_the_registry_is_enumerated():
    assert "/kommunen/gibt-es-nicht/" in ROUTES
    assert "/cluster/999999/" in ROUTES
