"""The anonymous near-miss API has the web form's anti-automation protection, and its rate
limit is keyed on the client address the trusted proxy reports (issue 14, finding 11)."""

from __future__ import annotations

import json

import pytest

from reviews.models import IncidentReport
from reviews.tests.test_api import issued_token

pytestmark = pytest.mark.django_db


def _post(client, payload, **extra):
    return client.post(
        "/api/v1/incident-reports",
        data=json.dumps(payload),
        content_type="application/json",
        **extra,
    )


def _report(slug, **extra):
    return {"municipality": slug, "what_happened": "Fax an das falsche Jugendamt.", **extra}


def test_post_without_form_token_is_refused(client, muni_a):
    response = _post(client, _report(muni_a.slug))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not IncidentReport.objects.exists()


def test_token_from_the_api_works_after_the_minimum_time(client, muni_a, settings):
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 3
    body = client.get(f"/api/v1/incident-reports/form-token?municipality={muni_a.slug}").json()
    assert body["min_seconds"] == 3
    fresh = _post(client, _report(muni_a.slug, form_token=body["form_token"]))
    assert fresh.status_code == 422  # sent faster than a person types
    assert "zu schnell" in fresh.json()["detail"]
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 0
    ok = _post(client, _report(muni_a.slug, form_token=body["form_token"]))
    assert ok.status_code == 201
    assert IncidentReport.objects.count() == 1


def test_token_of_another_commune_or_forged_is_refused(client, muni_a, muni_b):
    other = _post(client, _report(muni_a.slug, form_token=issued_token(muni_b.slug)))
    assert other.status_code == 422
    forged = _post(client, _report(muni_a.slug, form_token="eyJzIjoiaW5jaWRlbnQifQ:x:y"))
    assert forged.status_code == 422
    expired = _post(
        client, _report(muni_a.slug, form_token=issued_token(muni_a.slug, seconds_ago=5 * 3600))
    )
    assert expired.status_code == 422
    assert not IncidentReport.objects.exists()


def test_token_for_an_unknown_commune_is_404(client):
    assert (
        client.get("/api/v1/incident-reports/form-token?municipality=nirgendwo").status_code == 404
    )


def test_writing_to_every_commune_in_turn_does_not_multiply_the_limit(
    client, muni_a, muni_b, settings
):
    settings.REVIEWS_INCIDENT_RATE_LIMIT = 2
    settings.REVIEWS_INCIDENT_RATE_LIMIT_ALL_COMMUNES = 3
    codes = []
    for slug in (muni_a.slug, muni_a.slug, muni_b.slug, muni_b.slug):
        response = _post(client, _report(slug, form_token=issued_token(slug)))
        codes.append(response.status_code)
    assert codes == [201, 201, 201, 429]


def test_behind_a_trusted_proxy_each_sender_has_its_own_bucket(client, muni_a, settings):
    settings.REVIEWS_INCIDENT_RATE_LIMIT = 1
    settings.KSQM_TRUSTED_PROXIES = ["127.0.0.1"]
    first = _post(
        client,
        _report(muni_a.slug, form_token=issued_token(muni_a.slug)),
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    second = _post(
        client,
        _report(muni_a.slug, form_token=issued_token(muni_a.slug)),
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    again = _post(
        client,
        _report(muni_a.slug, form_token=issued_token(muni_a.slug)),
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 429)


def test_without_trusted_proxies_a_forged_header_does_not_open_a_new_bucket(
    client, muni_a, settings
):
    settings.REVIEWS_INCIDENT_RATE_LIMIT = 1
    settings.KSQM_TRUSTED_PROXIES = []
    codes = [
        _post(
            client,
            _report(muni_a.slug, form_token=issued_token(muni_a.slug)),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(2)
    ]
    assert codes == [201, 429]


def test_web_form_limit_is_keyed_on_the_proxy_reported_address(client, muni_a, settings):
    from reviews import antispam

    settings.REVIEWS_INCIDENT_RATE_LIMIT = 1
    settings.KSQM_TRUSTED_PROXIES = ["127.0.0.1"]
    url = f"/lernen/melden/{muni_a.slug}/"
    data = {"what_happened": "x", "form_token": issued_token(muni_a.slug)}
    first = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert first.status_code != 429 and other.status_code != 429
    assert again.status_code == 429
    assert antispam.rate_limit() == (1, 3600)
