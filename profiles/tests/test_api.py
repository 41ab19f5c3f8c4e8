"""/api/v1/ registry endpoints: public reads, token writes, problem+json errors."""

import json

import pytest

from core.models import AuditEvent
from core.services import api_token_create
from registry.tests.factories import ClusterFactory


@pytest.fixture
def token_a(coordinator_a):
    return api_token_create(user=coordinator_a, name="test", actor=coordinator_a)[1]


@pytest.fixture
def cluster(muni_a, muni_b):
    cluster = ClusterFactory(number=7, model_municipality=muni_a)
    for m, role in ((muni_a, "model"), (muni_b, "partner")):
        m.cluster, m.project_role = cluster, role
        m.save()
    return cluster


def test_states_lists_all_sixteen(client, db):
    data = client.get("/api/v1/states").json()
    assert len(data) == 16
    assert {"code": "HB", "name": "Bremen", "municipalities": 0} in data


def test_clusters_and_cluster_detail(client, cluster):
    assert client.get("/api/v1/clusters").json() == [
        {"number": 7, "model_municipality": "Stadt Musterstadt A", "members": 2}
    ]
    detail = client.get("/api/v1/clusters/7").json()
    assert detail["model_municipality"]["slug"] == "musterstadt-a"
    assert [p["slug"] for p in detail["partners"]] == ["beispiel-b"]
    response = client.get("/api/v1/clusters/99")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_municipality_filters(client, cluster):
    assert [m["slug"] for m in client.get("/api/v1/municipalities?role=partner").json()] == [
        "beispiel-b"
    ]
    assert len(client.get("/api/v1/municipalities?cluster=7").json()) == 2
    assert client.get("/api/v1/municipalities?state=HB").json() == []


def test_municipality_profile_has_the_parser_shape(client, cluster):
    data = client.get("/api/v1/municipalities/musterstadt-a").json()
    for key in (
        "kind",
        "name",
        "website",
        "state",
        "cluster",
        "model_municipality",
        "partners",
        "interests",
        "participants",
        "topics",
        "outcomes",
        "highlights",
    ):
        assert key in data
    assert set(data["outcomes"]) == {"municipal", "cross_cluster"}
    assert data["partners"] == ["Landkreis Beispiel B"]


def test_write_needs_a_token(client, muni_a):
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a", data="{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a",
        data="{}",
        content_type="application/json",
        headers={"Authorization": "Bearer ksqm_falsch"},
    )
    assert response.status_code == 401


def test_coordinator_patches_own_municipality(client, muni_a, token_a, coordinator_a):
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a",
        data=json.dumps({"website": "www.neu.example", "state": "HE", "reason": "API-Test"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_a}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "Hessen"
    event = AuditEvent.objects.get(action="update", target_id=str(muni_a.pk))
    assert event.source == "api" and event.actor == coordinator_a


def test_coordinator_cannot_patch_other_municipality(client, muni_b, token_a):
    response = client.patch(
        "/api/v1/municipalities/beispiel-b",
        data=json.dumps({"website": "www.x.example"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_a}"},
    )
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_bad_input_gives_problem_with_field(client, muni_a, token_a):
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a",
        data=json.dumps({"state": "Atlantis"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_a}"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "state"
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a",
        data=json.dumps({"website": 12 * "x" * 20}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_a}"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_openapi_document_lists_the_registry(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/states",
        "/api/v1/clusters",
        "/api/v1/clusters/{number}",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{slug}",
    ):
        assert path in schema["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_expired_token_is_rejected(client, muni_a, coordinator_a):
    from django.utils import timezone

    token, raw = api_token_create(user=coordinator_a, name="alt", actor=coordinator_a)
    token.expires_at = timezone.now()
    token.save()
    response = client.patch(
        "/api/v1/municipalities/musterstadt-a",
        data="{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 401
