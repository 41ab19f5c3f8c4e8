"""A person's language: chosen in the interface, remembered, and used for their e-mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from core.choices import AuditAction
from core.mail import mail_send
from core.models import AuditEvent, UserPreference
from core.services import user_language_set

pytestmark = pytest.mark.django_db
TEMPLATE = "core/mail/test_notice.txt"
CONTEXT = {"title": "Netzwerktreffen", "day": __import__("datetime").date(2026, 12, 6)}


def test_switching_language_signed_in_remembers_it_for_mails(
    client, coordinator_a, django_capture_on_commit_callbacks
):
    client.force_login(coordinator_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert UserPreference.objects.get(user=coordinator_a).language == "en"
    preference = UserPreference.objects.get(user=coordinator_a)
    event = AuditEvent.objects.get(
        target_id=str(preference.pk), target_type__model="userpreference"
    )
    assert event.action == AuditAction.CREATE and event.after == {"language": "en"}

    coordinator_a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(template=TEMPLATE, context=CONTEXT, to=[coordinator_a])
    assert mail.outbox[-1].body == "Netzwerktreffen – Dec. 6, 2026\n"


def test_a_person_without_a_choice_gets_the_platform_language(
    coordinator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(template=TEMPLATE, context=CONTEXT, to=[coordinator_a])
    assert mail.outbox[-1].body == "Netzwerktreffen – 6. Dezember 2026\n"


def test_each_recipient_gets_their_own_language_in_one_send(
    coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    user_language_set(user=caseworker_a, language="en")
    user_language_set(user=coordinator_a, language="de")
    caseworker_a.refresh_from_db()
    coordinator_a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(template=TEMPLATE, context=CONTEXT, to=[coordinator_a, caseworker_a])
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert bodies[caseworker_a.email].endswith("Dec. 6, 2026\n")
    assert bodies[coordinator_a.email].endswith("6. Dezember 2026\n")


def test_anonymous_switch_stores_nothing_and_unknown_codes_are_refused(client, coordinator_a):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert not UserPreference.objects.exists()

    client.force_login(coordinator_a)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302  # Django ignores it; so do we
    assert not UserPreference.objects.exists()
    with pytest.raises(ValidationError, match="xx"):
        user_language_set(user=coordinator_a, language="xx")


def test_choosing_the_same_language_again_writes_no_audit_row(coordinator_a):
    assert user_language_set(user=coordinator_a, language="en") is True
    assert user_language_set(user=coordinator_a, language="en") is False
    assert user_language_set(user=coordinator_a, language="de") is True
    actions = list(
        AuditEvent.objects.filter(
            target_id=str(UserPreference.objects.get().pk), target_type__model="userpreference"
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]
