"""Every error under /api/ is application/problem+json, whoever produces it."""

import json

import pytest

from core.services import api_token_create

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["title"]
    return body


@pytest.mark.parametrize(
    "path", ["/api/v1/gibt-es-nicht", "/api/v1/gibt-es-nicht/", "/api/v1/", "/api/v2/states"]
)
def test_unknown_api_path_is_a_problem(client, db, path):
    body = _problem(client.get(path), 404)
    assert "openapi.json" in body["detail"]


def test_unknown_page_outside_the_api_stays_html(client, db):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_wrong_method_is_a_problem_with_allow(client, db):
    response = client.delete("/api/v1/states")
    _problem(response, 405)
    assert "GET" in response["Allow"]


def test_server_error_is_a_problem_without_trace(client, db, monkeypatch):
    from registry.models import State

    def broken(*args, **kwargs):
        raise RuntimeError("geheimer Stacktrace")

    monkeypatch.setattr(State.objects, "annotate", broken)
    response = client.get("/api/v1/states")
    body = _problem(response, 500)
    assert "geheimer" not in response.content.decode()
    assert body["detail"]
    assert response["X-Request-ID"]


@pytest.mark.parametrize("auth", [False, True])
def test_too_large_body_is_413(client, muni_a, coordinator_a, settings, auth):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = {}
    if auth:
        _token, raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)
        headers["Authorization"] = f"Bearer {raw}"
    response = client.patch(
        f"/api/v1/municipalities/{muni_a.slug}",
        data=json.dumps({"highlights": "x" * 5000}),
        content_type="application/json",
        headers=headers,
    )
    _problem(response, 413 if auth else 401)


def test_malformed_json_is_a_problem(client, muni_a, coordinator_a):
    _token, raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)
    response = client.patch(
        f"/api/v1/municipalities/{muni_a.slug}",
        data="{kaputt",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


def test_openapi_document_has_no_duplicate_keys(client, db):
    """Swagger UI parses the document as YAML and refuses a key given twice (ninja keys
    declared statuses by int, the error documentation by string)."""
    import json

    duplicates = []

    def no_duplicates(pairs):
        keys = [key for key, _value in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    body = client.get("/api/v1/openapi.json").content
    json.loads(body, object_pairs_hook=no_duplicates)
    assert duplicates == []
