"""/api/v1/trainings: token required, the commune's trainings only, counts not names."""

from core.services import api_token_create
from trainings.tests.factories import ParticipationFactory, TrainingFactory


def _auth(user):
    _, token = api_token_create(user=user, name="t", actor=user)
    return {"Authorization": f"Bearer {token}"}


def test_trainings_need_a_token(client):
    response = client.get("/api/v1/trainings")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_lists_own_trainings_with_counts_without_names(client, coordinator_a, muni_a, muni_b):
    training = TrainingFactory(municipality=muni_a, title="Eigene")
    ParticipationFactory(training=training, person_name="Geheimer Name")
    TrainingFactory(municipality=muni_b, title="Fremde")
    response = client.get("/api/v1/trainings", headers=_auth(coordinator_a))
    body = response.json()
    assert [(t["title"], t["participants"]) for t in body] == [("Eigene", 1)]
    assert "Geheimer Name" not in response.content.decode()


def test_coverage_endpoint_and_other_commune(client, coordinator_a, muni_a, muni_b):
    assert (
        client.get(
            f"/api/v1/trainings/coverage/{muni_a.slug}", headers=_auth(coordinator_a)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/trainings/coverage/{muni_b.slug}", headers=_auth(coordinator_a)
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/trainings?topic=quatsch", headers=_auth(coordinator_a)).status_code
        == 404
    )
