"""/api/v1/cases: tokens bound to users, isolation, read log, no names outside the team."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Procedure
from cases.tests.factories import make_procedure
from core.models import AccessLog
from core.services import api_token_create

pytestmark = pytest.mark.django_db


def _auth(user):
    _, raw = api_token_create(user=user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def procedure(team_a, caseworker_a):
    return make_procedure(team=team_a, actor=caseworker_a)


def test_requires_a_token(client, procedure):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{procedure.code}").status_code == 401
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer ksqm_falsch"})
    assert response.status_code == 401


def test_team_member_lists_and_reads_with_read_log(client, procedure, team_lead_a):
    headers = _auth(team_lead_a)
    listing = client.get("/api/v1/cases", headers=headers).json()
    assert listing["count"] == 1
    assert "Muster" not in str(listing)  # lists never carry names
    assert not AccessLog.objects.exists()
    detail = client.get(f"/api/v1/cases/{procedure.code}", headers=headers).json()
    assert {p["name"] for p in detail["persons"]} == {"Mia Muster-A", "Sabine Muster-A"}
    assert [e["activity_code"] for e in detail["events"]] == ["report_received", "urgency_rated"]
    log = AccessLog.objects.get()
    assert (log.actor, log.purpose) == (team_lead_a, "API: Verfahren abrufen")
    assert log.source == "api"


@pytest.mark.parametrize(
    "who",
    [
        "other_caseworker_a",
        "caseworker_b",
        "coordinator_a",
        "partner_a",
        "data_protection_a",
        "project_team",
        "platform_admin",
    ],
)
def test_every_endpoint_refuses_the_wrong_user(request, client, procedure, team_a, who):
    headers = _auth(request.getfixturevalue(who))
    assert client.get("/api/v1/cases", headers=headers).json().get("count", 0) == 0
    for url in (f"/api/v1/cases/{procedure.code}", f"/api/v1/cases/{procedure.code}/events"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
    response = client.post(
        f"/api/v1/cases/{procedure.code}/events",
        {"activity_code": "home_visit", "occurred_at": timezone.now().isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/cases", _payload(team_a.pk), content_type="application/json", headers=headers
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()
    assert Procedure.objects.count() == 1


def _payload(team_id):
    return {
        "team_id": team_id,
        "received_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "reporter_category": "police_court",
        "channel": "written",
        "indications": "Polizeieinsatz wegen häuslicher Gewalt, Kind anwesend.",
        "urgency": "immediate",
        "child": {
            "sex": "d",
            "birth_year": 2021,
            "birth_month": 1,
            "living_situation": "both_parents",
        },
        "persons": [{"role": "child", "name": "Kim Muster-C"}],
    }


def test_create_and_document_via_api(client, team_a, caseworker_a):
    headers = _auth(caseworker_a)
    response = client.post(
        "/api/v1/cases", _payload(team_a.pk), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    response = client.post(
        f"/api/v1/cases/{code}/events",
        {"activity_code": "police_involved", "occurred_at": timezone.now().isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json()["activity"] == "Polizei eingeschaltet"


def test_api_rejects_impossible_sequence_with_problem_json(client, procedure, caseworker_a):
    response = client.post(
        f"/api/v1/cases/{procedure.code}/events",
        {
            "activity_code": "first_contact",
            "occurred_at": (procedure.received_at - dt.timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
        headers=_auth(caseworker_a),
    )
    assert response.status_code == 422
    assert "vor dem Eingang der Meldung" in response.json()["detail"]


def test_api_rejects_unknown_category(client, team_a, caseworker_a):
    payload = _payload(team_a.pk) | {"reporter_category": "erfunden"}
    response = client.post(
        "/api/v1/cases", payload, content_type="application/json", headers=_auth(caseworker_a)
    )
    assert response.status_code == 422
    assert not Procedure.objects.exists()


def test_openapi_documents_the_cases_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{code}", "/api/v1/cases/{code}/events"} <= set(paths)
