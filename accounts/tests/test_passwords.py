"""Password policy, self-service change and reset by e-mail (issue 14, finding 9)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError

from core.choices import AuditAction
from core.models import AuditEvent


@pytest.mark.parametrize(
    "password",
    [
        "kinderschutz",
        "Kinderschutz2024!",
        "KINDERSCHUTZ-kinderschutz",
        "jugendamt#12345",
        "password1234",  # Django's common-password list
        "kurz-Pw-9!",  # 10 characters
        "123456789012345",
    ],
)
def test_weak_passwords_are_refused(password, db):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_is_accepted(db):
    validate_password("Fahrrad Zebra Kaffeetasse Nebel")


def test_minimum_length_is_twelve(db):
    with pytest.raises(ValidationError) as info:
        validate_password("Zq8#wLm2!xR")  # 11 characters, otherwise strong
    assert any("12" in m for m in info.value.messages)


def test_password_change_refuses_kinderschutz_and_keeps_the_old_one(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(
        "/konto/passwort/",
        {
            "old_password": "geheim-123",
            "new_password1": "kinderschutz",
            "new_password2": "kinderschutz",
        },
    )
    assert response.status_code == 200
    assert "zu leicht zu erraten" in response.content.decode()
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password("geheim-123")


def test_password_change_needs_the_old_password_and_is_audited(client, coordinator_a):
    client.force_login(coordinator_a)
    new = "Fahrrad Zebra Kaffeetasse Nebel"
    wrong = client.post(
        "/konto/passwort/",
        {"old_password": "nicht-richtig", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 200
    response = client.post(
        "/konto/passwort/",
        {"old_password": "geheim-123", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(new)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, reason__contains="Passwort")
    assert new not in str(event.after)


def test_password_change_needs_a_login(client):
    response = client.get("/konto/passwort/")
    assert response.status_code == 302
    assert "/anmelden/" in response["Location"]


def test_password_reset_by_email_sets_a_new_password(
    client, caseworker_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/anmelden/passwort-vergessen/", {"email": caseworker_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/anmelden/passwort-neu/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    post_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new = "Leuchtturm Apfelbaum Regenjacke"
    weak = client.post(post_url, {"new_password1": "kinderschutz", "new_password2": "kinderschutz"})
    assert "zu leicht zu erraten" in weak.content.decode()
    done = client.post(post_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    caseworker_a.refresh_from_db()
    assert caseworker_a.check_password(new)
    assert AuditEvent.objects.filter(reason__contains="zurückgesetzt", actor=caseworker_a).exists()
    # The link works once.
    again = client.get(link, follow=True)
    assert "ungültig" in again.content.decode()


def test_password_reset_does_not_reveal_unknown_addresses(client, caseworker_a):
    response = client.post("/anmelden/passwort-vergessen/", {"email": "niemand@example.invalid"})
    assert response.status_code == 302
    assert response["Location"].endswith("/anmelden/passwort-vergessen/gesendet/")
    assert mail.outbox == []


def test_password_reset_requests_are_limited_per_client(
    client, caseworker_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            client.post("/anmelden/passwort-vergessen/", {"email": caseworker_a.email})
    assert len(mail.outbox) == 5


def test_password_reset_mail_goes_through_core_mail_after_the_commit(
    client, caseworker_a, django_capture_on_commit_callbacks, time_machine
):
    """Template partials, the reader's language and date format, sent only on commit."""
    import datetime as dt

    from django.utils import formats, timezone, translation

    from core.models import UserPreference

    time_machine.move_to(dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC), tick=False)
    UserPreference.objects.create(user=caseworker_a, language="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/anmelden/passwort-vergessen/", {"email": caseworker_a.email})
    assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == [caseworker_a.email]
    assert message.subject == "Kinderschutz-QM: set a new password"
    expires = timezone.localtime(timezone.now() + dt.timedelta(hours=2))
    with translation.override("en"):
        day = formats.date_format(expires, "SHORT_DATE_FORMAT")
        time = formats.time_format(expires, "TIME_FORMAT")
    assert day == "03/04/2026"
    assert f"The link is valid until {day}, {time}." in message.body
    assert caseworker_a.get_username() in message.body
    assert "/anmelden/passwort-neu/" in message.body


def test_password_reset_mail_in_german_by_default(
    client, caseworker_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/anmelden/passwort-vergessen/", {"email": caseworker_a.email})
    (message,) = mail.outbox
    assert message.subject == "Kinderschutz-QM: neues Passwort setzen"
    assert re.search(r"Der Link gilt bis \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr\.", message.body)
