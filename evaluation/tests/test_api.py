"""/api/v1/evaluations: aggregated results only, the public answering endpoint, scopes."""

import json

import pytest
import time_machine

from core.services import api_token_create
from evaluation.models import Response, Round
from evaluation.tests.conftest import FULL
from evaluation.tests.factories import FrameworkFactory
from evaluation.tests.test_selectors import fill

API = "/api/v1/evaluations"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        yield


def _auth(user):
    raw = api_token_create(user=user, name="test", actor=user)[1]
    return {"Authorization": f"Bearer {raw}"}


def test_rounds_and_frameworks_need_a_token(client, round_a):
    assert client.get(f"{API}/rounds").status_code == 401
    assert client.get(f"{API}/frameworks").status_code == 401
    assert client.get(f"{API}/rounds/{round_a.code}/results").status_code == 401


def test_rounds_are_scoped_to_the_commune(client, coordinator_a, round_a, round_b):
    response = client.get(f"{API}/rounds", headers=_auth(coordinator_a))
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == [str(round_a.code)]
    other = client.get(f"{API}/rounds/{round_b.code}", headers=_auth(coordinator_a))
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"
    assert client.get(f"{API}/rounds/kein-uuid", headers=_auth(coordinator_a)).status_code == 404


def test_results_are_aggregates_never_single_answers(client, readonly_a, round_a):
    fill(round_a, {"youth_office": [(4, 4, 2), (5, 4, 2), (3, 4, 2)]})
    body = client.get(f"{API}/rounds/{round_a.code}/results", headers=_auth(readonly_a)).json()
    assert body["n_responses"] == 3 and body["suppressed"] is False
    coop = body["dimensions"][0]
    assert coop["mean"] == pytest.approx(4.0)
    assert "responses" not in body and "answers" not in json.dumps(body)
    assert body["trend"][0]["round"] == str(round_a.code)


def test_results_below_minimum_are_suppressed(client, coordinator_a, round_a):
    fill(round_a, {"youth_office": [(4, 4, 2)]})
    body = client.get(f"{API}/rounds/{round_a.code}/results", headers=_auth(coordinator_a)).json()
    assert body == {
        "suppressed": True,
        "n_responses": 1,
        "minimum": 3,
        "free_text": [],
        "trend": [
            {
                "round": str(round_a.code),
                "opens_on": "2026-01-01",
                "n_responses": 1,
                "suppressed": True,
                "means": {},
                "changes": {},
            }
        ],
        "round": str(round_a.code),
    }


def test_coordinator_creates_round_through_api(client, coordinator_a, muni_a):
    framework = FrameworkFactory()
    payload = {
        "municipality": "musterstadt-a",
        "framework_id": framework.pk,
        "title": "API-Runde",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "min_group_size": 4,
    }
    response = client.post(
        f"{API}/rounds",
        json.dumps(payload),
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert response.status_code == 201, response.content
    assert Round.objects.get().title == "API-Runde"
    external = client.post(
        f"{API}/rounds",
        json.dumps(payload | {"kind": "external"}),
        content_type="application/json",
        headers=_auth(coordinator_a),
    )
    assert external.status_code == 422 and "Projektteam" in external.json()["detail"]


def test_reader_cannot_create_round(client, readonly_a, muni_a):
    framework = FrameworkFactory()
    payload = {
        "municipality": "musterstadt-a",
        "framework_id": framework.pk,
        "title": "x",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
    }
    response = client.post(
        f"{API}/rounds",
        json.dumps(payload),
        content_type="application/json",
        headers=_auth(readonly_a),
    )
    assert response.status_code == 403


def test_comparison_endpoint(client, project_team, round_a, round_b):
    fill(round_a, {"youth_office": [(4, 4, 4)] * 3})
    fill(round_b, {"youth_office": [(2, 2, 2)] * 2})
    response = client.get(
        f"{API}/comparison",
        {"framework": "klein", "municipality": ["musterstadt-a", "beispiel-b"]},
        headers=_auth(project_team),
    )
    communes = {c["municipality"]: c for c in response.json()["communes"]}
    assert communes["musterstadt-a"]["means"]["coop"] == pytest.approx(4.0)
    assert communes["beispiel-b"]["suppressed"] is True and communes["beispiel-b"]["means"] == {}


def test_public_answering_endpoint(client, invite):
    invite("t1", "school")
    questionnaire = client.get(f"{API}/answer/t1").json()
    assert [s["key"] for s in questionnaire["statements"]] == ["coop_a", "err_a"]
    assert questionnaire["cannot_judge"]["value"] == "na"

    draft = client.put(
        f"{API}/answer/t1/draft",
        json.dumps({"answers": {"coop_a": 2}}),
        content_type="application/json",
    )
    assert draft.status_code == 200
    assert client.get(f"{API}/answer/t1").json()["draft"]["answers"] == {"coop_a": 2}

    bad = client.post(
        f"{API}/answer/t1",
        json.dumps({"answers": {"coop_a": 6, "err_a": None}}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    fields = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert "außerhalb der Skala" in fields["coop_a"] and "Bitte bewerten" in fields["err_a"]

    ok = client.post(
        f"{API}/answer/t1",
        json.dumps({"answers": {"coop_a": 2, "err_a": "na"}}),
        content_type="application/json",
    )
    assert ok.status_code == 201 and Response.objects.count() == 1
    again = client.post(
        f"{API}/answer/t1", json.dumps({"answers": FULL}), content_type="application/json"
    )
    assert again.status_code == 410 and "bereits" in again.json()["detail"]
    assert client.get(f"{API}/answer/unbekannt").status_code == 404


def test_round_list_query_count_does_not_grow(
    client, project_team, muni_a, django_assert_max_num_queries
):
    from evaluation.tests.factories import RoundFactory

    headers = _auth(project_team)
    for _ in range(8):
        RoundFactory(municipality=muni_a)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/rounds", headers=headers)
    assert len(response.json()) == 8
