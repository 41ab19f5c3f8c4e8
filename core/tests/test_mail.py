"""core.mail: templates, after commit, per-recipient language, sealed in the queue, retried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from core import crypto
from core.mail import Recipient, mail_send, render_mail, send_mail_message

pytestmark = pytest.mark.django_db
CONTEXT = {"title": "Kita & Schule", "day": dt.date(2026, 12, 6)}
TEMPLATE = "core/mail/test_notice.txt"


def test_dates_and_words_follow_each_recipients_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = mail_send(
            template=TEMPLATE,
            context=CONTEXT,
            to=[Recipient("de@example.org"), Recipient("en@example.org", "en")],
        )
    assert queued == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["de@example.org"].subject == "Hinweis vom 06.12.2026 Kita & Schule"
    assert by_to["de@example.org"].body == "Kita & Schule – 6. Dezember 2026\n"
    assert by_to["en@example.org"].body == "Kita & Schule – Dec. 6, 2026\n"
    assert by_to["en@example.org"].subject.endswith("12/06/2026 Kita & Schule")


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                mail_send(template=TEMPLATE, context=CONTEXT, to=["a@example.org"])
                raise RuntimeError("sign-up failed")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_each_address_once_and_own_message_and_empty_dropped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = mail_send(
            template=TEMPLATE, context=CONTEXT, to=["a@example.org", "A@example.org", "", "b@x.de"]
        )
    assert queued == 2
    assert sorted(m.to for m in mail.outbox) == [["a@example.org"], ["b@x.de"]]


def test_the_queue_holds_the_message_sealed(django_capture_on_commit_callbacks, monkeypatch):
    queued: list[dict] = []
    from core import mail as mail_module

    monkeypatch.setattr(
        mail_module, "enqueue_on_commit", lambda task, **kwargs: queued.append(kwargs)
    )
    mail_send(template=TEMPLATE, context={**CONTEXT, "title": "Mia Muster"}, to=["a@x.de"])
    assert len(queued) == 1
    assert "Mia" not in queued[0]["body"] and crypto.is_encrypted(queued[0]["body"])
    assert "Mia Muster" in crypto.decrypt(queued[0]["body"])


def test_a_failing_mail_server_is_retried(monkeypatch, settings):
    attempts: list[int] = []
    from django.core.mail.message import EmailMessage

    original = EmailMessage.send

    def flaky_send(self, fail_silently=False):
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefusedError("smtp down")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    send_mail_message.enqueue(
        subject=crypto.encrypt("Betreff"), body=crypto.encrypt("Text"), to="a@example.org"
    )
    assert len(attempts) == 3 and [m.subject for m in mail.outbox] == ["Betreff"]


def test_render_mail_previews_a_template():
    subject, body = render_mail(template=TEMPLATE, context=CONTEXT, language="en")
    assert "Kita & Schule" in subject and body.endswith("2026\n")
