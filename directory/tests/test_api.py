"""/api/v1/directory/services: public HSDS read, token-protected writes."""

import jsonschema
import pytest

from core.services import api_token_create
from directory.hsds_schema import compiled_service_schema
from directory.models import Service
from directory.tests.factories import ServiceFactory


def _auth(user) -> dict:
    _, raw = api_token_create(user=user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def offers(muni_a, muni_b):
    ServiceFactory(municipality=muni_a, name="Babymassage", min_age=0, max_age=1)
    ServiceFactory(municipality=muni_b, name="Elternkurs", min_age=3, max_age=10)


def test_public_list_is_hsds(client, offers, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/directory/services").json()
    assert data["count"] == 2
    for item in data["items"]:
        jsonschema.validate(item, compiled_service_schema(strict=True))
    assert [i["name"] for i in client.get("/api/v1/directory/services?age=5").json()["items"]] == [
        "Elternkurs"
    ]
    assert client.get("/api/v1/directory/services?q=Babymassage").json()["count"] == 1


def test_detail_and_404(client, offers):
    service = Service.objects.get(name="Babymassage")
    assert client.get(f"/api/v1/directory/services/{service.code}").json()["name"] == "Babymassage"
    assert (
        client.get("/api/v1/directory/services/00000000-0000-0000-0000-000000000000").status_code
        == 404
    )
    assert client.get("/api/v1/directory/services/kein-code").status_code == 404


def test_create_needs_token_and_rights(client, muni_a, coordinator_a, coordinator_b):
    body = {"municipality": "musterstadt-a", "name": "Stillgruppe", "target_groups": ["saeugling"]}
    assert (
        client.post("/api/v1/directory/services", body, content_type="application/json").status_code
        == 401
    )
    response = client.post(
        "/api/v1/directory/services",
        body,
        content_type="application/json",
        headers=_auth(coordinator_b),
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/directory/services",
        body,
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert response.status_code == 201
    assert response.json()["attributes"][0]["taxonomy_term"]["code"] == "saeugling"
    bad = dict(body, target_groups=["gibt-es-nicht"])
    response = client.post(
        "/api/v1/directory/services",
        bad,
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert response.status_code == 422
