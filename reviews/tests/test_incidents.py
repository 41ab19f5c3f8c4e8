"""The anonymous near-miss form: nothing identifying is stored or logged, spam is kept out."""

import json
import logging
import re

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse

from core.models import AuditEvent
from reviews import antispam
from reviews.models import IncidentReport

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (X11; Geheimbrowser 99.1) Unverwechselbar/42"
TEXT = "Die Meldung einer Kita lag zwei Wochen im falschen Postfach."


def _form_url(muni):
    return reverse("reviews:incident_report_create", args=[muni.slug])


def _payload(muni, **extra):
    data = {
        "what_happened": TEXT,
        "what_could_have_happened": "Ein Kind wäre ohne Hilfe geblieben.",
        "what_helped": "Die Kita hat nachgefragt.",
        "what_should_change": "Ein gemeinsames Postfach mit Vertretung.",
        "reporter_institution_type": "",
        "website": "",
        "form_token": antispam.form_token(f"incident:{muni.slug}"),
    }
    data.update(extra)
    return data


def _everything_in_the_database() -> str:
    return "\n".join(
        serializers.serialize("json", model._default_manager.all()) for model in apps.get_models()
    )


def test_public_form_needs_no_login_and_shows_the_receipt_code_once(client, muni_a):
    response = client.get(_form_url(muni_a))
    assert response.status_code == 200
    assert 'name="form_token"' in response.content.decode()
    response = client.post(_form_url(muni_a), _payload(muni_a))
    assert response.status_code == 201
    report = IncidentReport.objects.get()
    assert report.municipality == muni_a
    assert report.what_happened == TEXT
    assert report.receipt_code in response.content.decode()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", report.receipt_code)
    # Not a redirect: the code never appears in a URL.
    assert "Location" not in response


def test_nothing_identifying_is_stored_or_logged(client, muni_a, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        _form_url(muni_a),
        _payload(muni_a),
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=USER_AGENT,
        HTTP_X_FORWARDED_FOR=IP,
        HTTP_REFERER="https://intranet.example/kita-regenbogen",
    )
    assert response.status_code == 201
    report = IncidentReport.objects.get()
    # No field of the record can hold a person, an address or a browser.
    names = {f.name for f in IncidentReport._meta.get_fields()}
    assert not names & {"ip", "ip_address", "user_agent", "user", "reporter", "created_at"}
    # Nothing in the whole database (sessions, audit trail included) mentions them.
    dump = _everything_in_the_database()
    for secret in (IP, USER_AGENT, "Geheimbrowser", "kita-regenbogen"):
        assert secret not in dump
    # The audit trail says that an anonymous report arrived, without pointing at it (its
    # exact time would date the report more precisely than the record's day).
    event = AuditEvent.objects.get(action="create", municipality=muni_a)
    assert event.actor is None and event.actor_name == ""
    assert event.target_id == "" and event.target_type is None
    assert TEXT not in json.dumps(event.after)
    assert not AuditEvent.objects.filter(target_id=str(report.pk)).exists()
    # And nothing in the logs of that request: neither in messages nor in attached objects.
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        assert IP not in text
        assert "Geheimbrowser" not in text
        assert not hasattr(record, "request")
    assert IP not in caplog.text and "Geheimbrowser" not in caplog.text


def test_errors_of_the_public_form_are_not_logged_with_the_request(client, muni_a, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        _form_url(muni_a),
        _payload(muni_a, what_happened=""),
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=USER_AGENT,
    )
    assert response.status_code == 422
    assert not IncidentReport.objects.exists()
    assert not [r for r in caplog.records if hasattr(r, "request")]
    assert IP not in caplog.text and "Geheimbrowser" not in caplog.text


def test_honeypot_pretends_success_and_stores_nothing(client, muni_a):
    response = client.post(_form_url(muni_a), _payload(muni_a, website="http://spam.example"))
    assert response.status_code == 200
    assert "Quittungscode" in response.content.decode()
    assert not IncidentReport.objects.exists()


def test_a_form_without_our_signed_token_is_refused(client, muni_a, muni_b):
    for token in ("", "forged", antispam.form_token(f"incident:{muni_b.slug}")):
        response = client.post(_form_url(muni_a), _payload(muni_a, form_token=token))
        assert response.status_code == 422
    assert not IncidentReport.objects.exists()


def test_a_form_sent_back_too_fast_is_refused(client, muni_a, settings):
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 30
    response = client.post(_form_url(muni_a), _payload(muni_a))
    assert response.status_code == 422
    assert "zu schnell" in response.content.decode()
    assert not IncidentReport.objects.exists()


def test_an_expired_form_is_refused(client, muni_a, settings, time_machine):
    time_machine.move_to("2026-01-01 08:00")
    token = antispam.form_token(f"incident:{muni_a.slug}")
    time_machine.move_to("2026-01-01 20:00")
    response = client.post(_form_url(muni_a), _payload(muni_a, form_token=token))
    assert response.status_code == 422
    assert "abgelaufen" in response.content.decode()


def test_rate_limit_per_client_without_storing_the_address(client, muni_a, settings, caplog):
    settings.REVIEWS_INCIDENT_RATE_LIMIT = 2
    caplog.set_level(logging.DEBUG)
    codes = [
        client.post(_form_url(muni_a), _payload(muni_a), REMOTE_ADDR=IP).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert IncidentReport.objects.count() == 2
    # Another client is not affected.
    other = client.post(_form_url(muni_a), _payload(muni_a), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 201
    # The limiter's key is a salted hash: neither the address nor its plain hash appears.
    key = antispam.client_key(IP, f"incident:{muni_a.slug}")
    assert IP not in key
    assert IP not in _everything_in_the_database()
    assert IP not in caplog.text


def test_rate_limit_key_changes_daily(time_machine):
    time_machine.move_to("2026-03-01 10:00")
    first = antispam.client_key(IP, "s")
    time_machine.move_to("2026-03-02 10:00")
    assert antispam.client_key(IP, "s") != first


def test_unknown_commune_is_404(client, db):
    assert client.get("/lernen/melden/gibt-es-nicht/").status_code == 404


def test_receipt_code_reads_the_state_and_later_the_answer(client, muni_a, coordinator_a):
    from reviews import services

    client.post(_form_url(muni_a), _payload(muni_a))
    report = IncidentReport.objects.get()
    url = reverse("reviews:incident_answer")
    response = client.post(url, {"receipt_code": report.receipt_code.lower().replace("-", " ")})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Noch keine Antwort" in body
    assert TEXT not in body  # the reporter's own text is not shown again
    services.incident_report_moderate(
        report=report,
        actor=coordinator_a,
        answer="Danke! Das Postfach hat jetzt eine Vertretungsregel.",
        public_title="Meldung im falschen Postfach",
        public_text="Eine Meldung lag zwei Wochen in einem nicht besetzten Postfach.",
        level="organisation",
    )
    body = client.post(url, {"receipt_code": report.receipt_code}).content.decode()
    assert "Vertretungsregel" in body
    assert "Meldung im falschen Postfach" in body
    assert client.post(url, {"receipt_code": "AAAA-BBBB-CCCC"}).status_code == 404


def test_an_empty_report_names_the_missing_field_not_the_timing(client, muni_a, settings):
    settings.REVIEWS_INCIDENT_MIN_FILL_SECONDS = 30
    response = client.post(_form_url(muni_a), _payload(muni_a, what_happened=""))
    body = response.content.decode()
    assert response.status_code == 422
    assert "Bitte beschreiben Sie kurz, was passiert ist." in body
    assert "zu schnell" not in body
    assert not IncidentReport.objects.exists()


def test_the_public_form_shows_the_emergency_numbers(client, muni_a):
    body = client.get(_form_url(muni_a)).content.decode()
    assert 'href="tel:110"' in body
    assert "Notdienst Ihres Jugendamts" in body
    muni_a.emergency_phone = "0228 77 0000"
    muni_a.save()
    body = client.get(_form_url(muni_a)).content.decode()
    assert 'href="tel:0228770000"' in body
    assert "Notdienst des Jugendamts Stadt Musterstadt A" in body
