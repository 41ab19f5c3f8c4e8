"""/api/v1/reviews, /findings, /incident-reports, /library."""

import json
import logging

import pytest

from core.services import api_token_create
from reviews import services
from reviews.models import IncidentReport
from reviews.tests.factories import CaseReviewFactory, FindingFactory, IncidentReportFactory

pytestmark = pytest.mark.django_db


def _token(user):
    return {"Authorization": f"Bearer {api_token_create(user=user, name='t', actor=user)[1]}"}


def _post(client, path, payload, **extra):
    if path == "/api/v1/incident-reports" and "form_token" not in payload:
        # Anonymous reports need the anti-automation token (tested in test_incident_api.py).
        payload = {**payload, "form_token": issued_token(payload.get("municipality", ""))}
    return client.post(path, data=json.dumps(payload), content_type="application/json", **extra)


def issued_token(slug: str, seconds_ago: int = 10) -> str:
    """A form token as GET /incident-reports/form-token issued it ``seconds_ago``."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from reviews.antispam import form_token

    issued = timezone.now() - dt.timedelta(seconds=seconds_ago)
    with time_machine.travel(issued, tick=False):
        return form_token(f"incident:{slug}")


def test_reviews_need_a_token_and_are_scoped(
    client, muni_a, muni_b, coordinator_a, project_team, django_assert_max_num_queries
):
    mine = CaseReviewFactory(municipality=muni_a, title="Fall A")
    theirs = CaseReviewFactory(municipality=muni_b, title="Fall B")
    FindingFactory(review=mine)
    assert client.get("/api/v1/reviews").status_code == 401
    body = client.get("/api/v1/reviews", headers=_token(coordinator_a)).json()
    assert [r["title"] for r in body] == ["Fall A"]
    assert body[0]["findings"] == 1
    assert (
        client.get(f"/api/v1/reviews/{theirs.code}", headers=_token(coordinator_a)).status_code
        == 404
    )
    for _ in range(5):
        CaseReviewFactory(municipality=muni_b)
    headers = _token(project_team)
    with django_assert_max_num_queries(8):
        everything = client.get("/api/v1/reviews", headers=headers).json()
    assert {"Fall A", "Fall B"} <= {r["title"] for r in everything}
    assert len(everything) == 7


def test_caseworker_reads_but_cannot_create_reviews(client, muni_a, caseworker_a):
    CaseReviewFactory(municipality=muni_a)
    headers = _token(caseworker_a)
    assert len(client.get("/api/v1/reviews", headers=headers).json()) == 1
    response = _post(
        client,
        "/api/v1/reviews",
        {
            "municipality": muni_a.slug,
            "title": "X",
            "trigger": "routine",
            "method": "case_workshop",
        },
        headers=headers,
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_coordinator_creates_a_review_by_api(client, muni_a, muni_b, coordinator_a):
    payload = {
        "municipality": muni_a.slug,
        "title": "Fall 2026-1",
        "trigger": "routine",
        "method": "case_workshop",
    }
    response = _post(client, "/api/v1/reviews", payload, headers=_token(coordinator_a))
    assert response.status_code == 201
    assert response.json()["status"] == "planned"
    response = _post(
        client,
        "/api/v1/reviews",
        payload | {"municipality": muni_b.slug},
        headers=_token(coordinator_a),
    )
    assert response.status_code == 403
    response = _post(
        client, "/api/v1/reviews", payload | {"trigger": "erfunden"}, headers=_token(coordinator_a)
    )
    assert response.status_code == 422


def test_findings_are_scoped_and_filterable(client, muni_a, muni_b, caseworker_a):
    FindingFactory(review=CaseReviewFactory(municipality=muni_a), level="team")
    FindingFactory(review=CaseReviewFactory(municipality=muni_a), level="organisation")
    FindingFactory(review=CaseReviewFactory(municipality=muni_b), level="team")
    headers = _token(caseworker_a)
    assert len(client.get("/api/v1/findings", headers=headers).json()) == 2
    only = client.get("/api/v1/findings?level=team", headers=headers).json()
    assert [f["municipality"] for f in only] == [muni_a.slug]


def test_public_incident_report_answers_201_with_a_receipt_code(client, muni_a, caplog):
    caplog.set_level(logging.DEBUG)
    response = _post(
        client,
        "/api/v1/incident-reports",
        {"municipality": muni_a.slug, "what_happened": "Fax an das falsche Jugendamt."},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Geheimclient/1.0",
    )
    assert response.status_code == 201
    code = response.json()["receipt_code"]
    report = IncidentReport.objects.get()
    assert report.receipt_code == code
    assert "203.0.113.9" not in caplog.text and "Geheimclient" not in caplog.text


def test_public_incident_report_errors(client, muni_a, settings):
    assert (
        _post(
            client, "/api/v1/incident-reports", {"municipality": "nirgendwo", "what_happened": "x"}
        ).status_code
        == 404
    )
    assert (
        _post(
            client, "/api/v1/incident-reports", {"municipality": muni_a.slug, "what_happened": ""}
        ).status_code
        == 422
    )
    honeypot = _post(
        client,
        "/api/v1/incident-reports",
        {"municipality": muni_a.slug, "what_happened": "x", "website": "spam"},
    )
    assert honeypot.status_code == 201
    assert not IncidentReport.objects.exists()
    settings.REVIEWS_INCIDENT_RATE_LIMIT = 1
    ok = {"municipality": muni_a.slug, "what_happened": "Echte Meldung"}
    assert _post(client, "/api/v1/incident-reports", ok).status_code == 429  # honeypot counted
    assert IncidentReport.objects.count() == 0


def test_receipt_code_returns_the_published_answer(client, muni_a, coordinator_a):
    report = IncidentReportFactory(municipality=muni_a)
    body = client.get(f"/api/v1/incident-reports/{report.receipt_code}").json()
    assert body["status"] == "received" and body["answer"] is None
    services.incident_report_moderate(
        report=report,
        actor=coordinator_a,
        answer="Wir haben die Zuständigkeit geklärt.",
        public_title="Zuständigkeit unklar",
        public_text="Niemand fühlte sich zuständig.",
    )
    body = client.get(f"/api/v1/incident-reports/{report.receipt_code.lower()}").json()
    assert body["answer"] == "Wir haben die Zuständigkeit geklärt."
    assert "what_happened" not in body
    assert client.get("/api/v1/incident-reports/ZZZZ-ZZZZ-ZZZZ").status_code == 404


def test_library_is_public_and_filterable(client, muni_a, coordinator_a):
    finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a), level="team")
    services.finding_publish(
        finding=finding, actor=coordinator_a, public_text="Kein zweiter Blick auf die Einschätzung."
    )
    FindingFactory(review=CaseReviewFactory(municipality=muni_a))  # unpublished: never listed
    body = client.get("/api/v1/library").json()
    assert len(body) == 1 and body[0]["kind"] == "finding"
    assert client.get("/api/v1/library?level=organisation").json() == []
    assert len(client.get("/api/v1/library?q=Einschätzungen").json()) == 1


def test_openapi_document_lists_the_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/reviews",
        "/api/v1/findings",
        "/api/v1/incident-reports",
        "/api/v1/library",
    ):
        assert path in paths
    assert "/api/v1/incident-reports/{receipt_code}" in paths
