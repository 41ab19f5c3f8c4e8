"""/api/v1/ workshops, sessions, outcomes: permissions, filters, 409 on conflicts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.services import api_token_create
from quality.models import Outcome, WorkshopSession
from quality.tests.factories import OutcomeFactory, WorkshopFactory, WorkshopSessionFactory


def _auth(user):
    raw = api_token_create(user=user, name="test", actor=user)[1]
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def data(muni_a, muni_b):
    return {
        "outcome_a": OutcomeFactory(municipality=muni_a, text="Organigramm Musterstadt"),
        "outcome_b": OutcomeFactory(municipality=muni_b, text="Leitbild Beispiel"),
        "workshop_a": WorkshopFactory(municipality=muni_a, title="Werkstatt A"),
        "workshop_b": WorkshopFactory(municipality=muni_b, title="Werkstatt B"),
    }


def test_reads_need_a_token(client, data):
    response = client.get("/api/v1/outcomes")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_outcomes_are_scoped_to_the_commune(
    client, data, readonly_a, django_assert_max_num_queries
):
    headers = _auth(readonly_a)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/outcomes", headers=headers).json()
    assert [o["text"] for o in body] == ["Organigramm Musterstadt"]
    other = data["outcome_b"].pk
    assert client.get(f"/api/v1/outcomes/{other}", headers=headers).status_code == 404


def test_outcome_filters(client, data, project_team, muni_a):
    headers = _auth(project_team)
    assert len(client.get("/api/v1/outcomes", headers=headers).json()) == 2
    body = client.get("/api/v1/outcomes?municipality=musterstadt-a", headers=headers).json()
    assert [o["municipality"] for o in body] == ["musterstadt-a"]
    assert client.get("/api/v1/outcomes?status=achieved", headers=headers).json() == []
    assert len(client.get("/api/v1/outcomes?scope=municipal", headers=headers).json()) == 2


def test_coordinator_creates_and_moves_outcome(client, muni_a, coordinator_a):
    headers = _auth(coordinator_a)
    response = client.post(
        "/api/v1/outcomes",
        {"municipality": "musterstadt-a", "text": "Übergabevereinbarung", "origin": "API"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "planned" and created["version"] == 1
    url = f"/api/v1/outcomes/{created['id']}/transitions"
    response = client.post(
        url, {"to_status": "in_progress", "version": 1}, content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["transitions"][0]["to_status"] == "in_progress"
    illegal = client.post(
        url, {"to_status": "planned", "version": 2, "note": "x"},
        content_type="application/json", headers=headers,
    )  # fmt: skip
    assert illegal.status_code == 200  # in Umsetzung → in Planung is allowed (step back)
    bad = client.post(
        url, {"to_status": "achieved"}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 422
    assert "Erlaubt" in bad.json()["detail"]


def test_second_writer_gets_409_problem(client, data, coordinator_a, project_team):
    outcome = data["outcome_a"]
    url = f"/api/v1/outcomes/{outcome.pk}"
    first = client.patch(
        url, {"version": 1, "description": "A"}, content_type="application/json",
        headers=_auth(coordinator_a),
    )  # fmt: skip
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(
        url, {"version": 1, "description": "B"}, content_type="application/json",
        headers=_auth(project_team),
    )  # fmt: skip
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    assert second.json()["current_version"] == 2
    outcome.refresh_from_db()
    assert outcome.description == "A"


def test_writes_follow_the_role_table(client, data, readonly_a, coordinator_b):
    outcome = data["outcome_a"]
    response = client.patch(
        f"/api/v1/outcomes/{outcome.pk}", {"version": 1, "text": "x"},
        content_type="application/json", headers=_auth(readonly_a),
    )  # fmt: skip
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/outcomes/{outcome.pk}", {"version": 1, "text": "x"},
        content_type="application/json", headers=_auth(coordinator_b),
    )  # fmt: skip
    assert response.status_code == 404
    response = client.post(
        "/api/v1/outcomes", {"municipality": "musterstadt-a", "text": "x"},
        content_type="application/json", headers=_auth(coordinator_b),
    )  # fmt: skip
    assert response.status_code == 403
    assert Outcome.objects.filter(text="x").count() == 0


def test_workshops_and_sessions(client, data, coordinator_a, coordinator_b):
    headers = _auth(coordinator_a)
    body = client.get("/api/v1/workshops", headers=headers).json()
    assert [w["title"] for w in body] == ["Werkstatt A"]
    assert body[0]["ical_url"].endswith(".ics")
    wid = data["workshop_a"].pk
    response = client.post(
        f"/api/v1/workshops/{wid}/sessions/series",
        {"first": "2027-01-20", "until": "2027-06-30"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert len(response.json()) == 3
    start = timezone.now() + timedelta(days=3)
    response = client.post(
        f"/api/v1/workshops/{wid}/sessions",
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201 and response.json()["is_extra"]
    sessions = client.get(f"/api/v1/workshops/{wid}/sessions", headers=headers).json()
    assert len(sessions) == 4 and sessions[0]["capacity"] == 30
    other = client.get(f"/api/v1/workshops/{wid}/sessions", headers=_auth(coordinator_b))
    assert other.status_code == 404
    assert WorkshopSession.objects.count() == 4


def test_create_workshop_permissions(client, muni_a, coordinator_a, readonly_a):
    payload = {"municipality": "musterstadt-a", "title": "Fachtag Datenschutz", "kind": "training"}
    denied = client.post(
        "/api/v1/workshops", payload, content_type="application/json", headers=_auth(readonly_a)
    )
    assert denied.status_code == 403
    ok = client.post(
        "/api/v1/workshops", payload, content_type="application/json", headers=_auth(coordinator_a)
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "training"
    bad = client.post(
        "/api/v1/workshops", {**payload, "kind": "party"}, content_type="application/json",
        headers=_auth(coordinator_a),
    )  # fmt: skip
    assert bad.status_code == 422


def test_openapi_lists_quality_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/workshops",
        "/api/v1/workshops/{workshop_id}/sessions",
        "/api/v1/outcomes",
    ):
        assert path in paths


def test_sessions_of_partner_workshop_visible_to_partner(client, muni_a, muni_b, caseworker_b):
    from registry.tests.factories import ClusterFactory

    cluster = ClusterFactory(number=41, model_municipality=muni_a)
    for m in (muni_a, muni_b):
        m.cluster = cluster
        m.save()
    workshop = WorkshopFactory(municipality=muni_a, cluster=cluster)
    WorkshopSessionFactory(workshop=workshop)
    response = client.get(f"/api/v1/workshops/{workshop.pk}/sessions", headers=_auth(caseworker_b))
    assert response.status_code == 200 and len(response.json()) == 1


def test_outcome_full_text_filter(client, data, project_team, muni_b):
    OutcomeFactory(municipality=muni_b, text="Risikoeinschätzung im ASD")
    body = client.get("/api/v1/outcomes?q=Einschätzungen", headers=_auth(project_team)).json()
    assert [o["text"] for o in body] == ["Risikoeinschätzung im ASD"]
