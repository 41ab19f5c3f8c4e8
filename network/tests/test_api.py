"""/api/v1/institutions, /contacts, /agreements, /network/{municipality}."""

import pytest

from core.models import ApiToken
from core.services import api_token_create
from network.models import Agreement
from network.tests.factories import AgreementFactory, ContactFactory
from registry.tests.factories import InstitutionFactory


def _auth(user) -> dict:
    _, raw = api_token_create(user=user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def inst_a(muni_a):
    return InstitutionFactory(
        municipality=muni_a, name="Jugendamt A", institution_type="youth_office"
    )


def test_institutions_are_public(client, inst_a):
    data = client.get("/api/v1/institutions?municipality=musterstadt-a").json()
    assert [i["name"] for i in data] == ["Jugendamt A"]


def test_contacts_without_token_are_public_only(client, inst_a, caseworker_a):
    ContactFactory(institution=inst_a, name="Öffentlich", is_public=True)
    ContactFactory(institution=inst_a, name="Intern", is_public=False)
    assert [c["name"] for c in client.get("/api/v1/contacts").json()] == ["Öffentlich"]
    data = client.get("/api/v1/contacts", headers=_auth(caseworker_a)).json()
    assert {c["name"] for c in data} == {"Öffentlich", "Intern"}


def test_contact_create_needs_rights(client, inst_a, coordinator_a, readonly_a, coordinator_b):
    body = {"institution_id": inst_a.pk, "name": "Demo API"}
    assert client.post("/api/v1/contacts", body, content_type="application/json").status_code == 401
    response = client.post(
        "/api/v1/contacts", body, content_type="application/json", headers=_auth(readonly_a)
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    response = client.post(
        "/api/v1/contacts", body, content_type="application/json", headers=_auth(coordinator_b)
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/contacts", body, content_type="application/json", headers=_auth(coordinator_a)
    )
    assert response.status_code == 201
    assert response.json()["is_public"] is False


def test_agreements_are_scoped(client, muni_a, muni_b, caseworker_a, coordinator_b):
    AgreementFactory(municipality=muni_a, title="A")
    AgreementFactory(municipality=muni_b, title="B")
    assert [
        a["title"] for a in client.get("/api/v1/agreements", headers=_auth(caseworker_a)).json()
    ] == ["A"]
    response = client.get(
        "/api/v1/agreements?municipality=musterstadt-a", headers=_auth(coordinator_b)
    )
    assert response.status_code == 404


def test_agreement_create_via_api(client, muni_a, muni_b, inst_a, coordinator_a):
    response = client.post(
        "/api/v1/agreements",
        {
            "municipality": "musterstadt-a",
            "title": "Übergabe",
            "kind": "handover",
            "institutions": [inst_a.pk],
            "partner_municipalities": ["beispiel-b"],
            "next_review_on": "2027-01-31",
        },
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner_municipalities"] == ["beispiel-b"]
    assert Agreement.objects.get().next_review_on.isoformat() == "2027-01-31"
    bad = client.post(
        "/api/v1/agreements",
        {"municipality": "musterstadt-a", "title": "X", "kind": "nonsense"},
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert bad.status_code == 422


def test_network_endpoint(client, muni_a, inst_a, caseworker_a, caseworker_b):
    other = InstitutionFactory(municipality=muni_a, name="Polizei A", institution_type="police")
    AgreementFactory(municipality=muni_a).institutions.set([inst_a, other])
    data = client.get("/api/v1/network/musterstadt-a", headers=_auth(caseworker_a)).json()
    assert {n["label"] for n in data["nodes"]} == {"Jugendamt A", "Polizei A"}
    assert data["edges"][0]["kinds"] == ["agreement"]
    assert data["metrics"]["nodes"] == 2
    assert "hospital" in {g["code"] for g in data["gaps"]}
    assert "police" not in {g["code"] for g in data["gaps"]}
    assert (
        client.get("/api/v1/network/musterstadt-a", headers=_auth(caseworker_b)).status_code == 404
    )
    assert client.get("/api/v1/network/musterstadt-a").status_code == 401
    assert ApiToken.objects.count() == 2
