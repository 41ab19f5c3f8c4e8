"""The anonymous near-miss form: nothing identifying is stored or logged, spam is kept out."""

import datetime as dt
import json
import logging
import re

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from reviews import antispam, services
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
    # The audit trail says that anonymous reports arrived, without pointing at one (its
    # exact time would date the report more precisely than the record's day): written
    # after the day, one row per commune and day.
    assert not AuditEvent.objects.filter(municipality=muni_a).exists()
    services.incident_arrivals_audit(today=report.received_on + dt.timedelta(days=1))
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


# --- issue 14 item 2: no time or request trace ---------------------------------------------


def _api_post(client, muni, **extra):
    from reviews.tests.test_api import issued_token

    return client.post(
        "/api/v1/incident-reports",
        {
            "municipality": muni.slug,
            "what_happened": TEXT,
            "form_token": issued_token(muni.slug),
            **extra,
        },
        content_type="application/json",
        REMOTE_ADDR=IP,
    )


def test_no_request_id_is_returned_to_the_anonymous_sender(client, muni_a):
    # Other pages do return one (the audit trail's request id) …
    assert "X-Request-ID" in client.get(reverse("reviews:library"))
    # … the form, the receipt, the answer lookup and the API do not.
    assert "X-Request-ID" not in client.get(_form_url(muni_a))
    response = client.post(_form_url(muni_a), _payload(muni_a))
    assert response.status_code == 201 and "X-Request-ID" not in response
    response = client.post(reverse("reviews:incident_answer"), {"receipt_code": "AAAA-BBBB-CCCC"})
    assert "X-Request-ID" not in response
    response = _api_post(client, muni_a)
    assert response.status_code == 201 and "X-Request-ID" not in response
    code = response.json()["receipt_code"]
    assert "X-Request-ID" not in client.get(f"/api/v1/incident-reports/{code}")
    # also a request refused by the input validation before the endpoint runs
    response = client.post("/api/v1/incident-reports", {"x": 1}, content_type="application/json")
    assert response.status_code in (400, 422) and "X-Request-ID" not in response


def test_a_submission_writes_nothing_into_the_audit_trail(client, muni_a):
    client.post(_form_url(muni_a), _payload(muni_a))  # warm-up: sessions, content types
    before = list(AuditEvent.objects.values_list("id", flat=True))
    assert _api_post(client, muni_a).status_code == 201
    assert client.post(_form_url(muni_a), _payload(muni_a)).status_code == 201
    assert list(AuditEvent.objects.values_list("id", flat=True)) == before


def test_reports_and_audit_rows_cannot_be_joined(
    client, muni_a, muni_b, coordinator_a, time_machine
):
    """Ten reports through the day between other audited actions: order by id vs by time."""
    from registry.services import municipality_update

    time_machine.move_to(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC), tick=False)
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    for i in range(10):
        time_machine.move_to(start + dt.timedelta(minutes=37 * i), tick=False)
        muni = muni_a if i % 3 else muni_b
        assert _api_post(client, muni).status_code == 201
        # an ordinary audited change right after each report, with its exact time
        time_machine.move_to(start + dt.timedelta(minutes=37 * i + 1), tick=False)
        municipality_update(
            municipality=muni_a, actor=coordinator_a, highlights=f"Stand {i}", reason="Test"
        )
    time_machine.move_to(dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC), tick=False)
    assert services.incident_arrivals_audit() == 2  # one row per commune for the day
    assert services.incident_arrivals_audit() == 0  # idempotent

    reports = list(IncidentReport.objects.order_by("id"))
    anonymous = list(
        AuditEvent.objects.filter(target_repr=services.ARRIVALS_REPR).order_by("time", "id")
    )
    # No one-to-one pairing exists: ten reports, two rows (counts per commune and day).
    assert len(reports) == 10 and len(anonymous) == 2
    assert sorted(row.after["count"] for row in anonymous) == [4, 6]
    for row in anonymous:
        # the date only (00:00 local), the shared untraced request id, no actor
        local = timezone.localtime(row.time)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        assert str(row.request_id) == "00000000-0000-0000-0000-000000000000"
        assert row.actor_id is None and row.target_id == ""
    # Their ids come after every row of the day: their position dates nothing.
    day_rows = AuditEvent.objects.exclude(target_repr=services.ARRIVALS_REPR)
    assert min(r.id for r in anonymous) > max(day_rows.values_list("id", flat=True))
    # The attempt of the hostile audit, ordering reports by id and the audit rows of the
    # day by time, matches no report with a row that has a time of day.
    timed = list(
        AuditEvent.objects.filter(time__date=dt.date(2026, 3, 2))
        .exclude(time=anonymous[0].time)
        .order_by("time", "id")
    )
    assert all(row.target_repr != services.ARRIVALS_REPR for row in timed)
    assert {r.received_on for r in reports} == {dt.date(2026, 3, 2)}
