"""Mail of the partner side through core.mail: the Jugendamt's feedback reaches the
informing institution; staff invitations carry their expiry in the reader's format."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from core.mail import render_mail
from partners import services
from partners.choices import StaffRole
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledged(signed_a, kita_staff_a, caseworker_a, team_a):
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    services.message_acknowledge(
        message=message,
        team=team_a,
        actor=caseworker_a,
        urgency="within_3_days",
        living_situation="single_parent",
    )
    message.refresh_from_db()
    return message


def _give_feedback(message, actor, **kw):
    return services.message_feedback_send(
        message=message,
        actor=actor,
        indications_seen=True,
        active=True,
        text="Wir haben Kontakt zur Familie aufgenommen.",
        base_url="https://ksqm.example",
        **kw,
    )


def test_feedback_mails_the_sender_and_the_lead_after_the_commit(
    acknowledged,
    caseworker_a,
    kita_staff_a,
    kita_lead_a,
    kita_colleague_a,
    school_a,
    django_capture_on_commit_callbacks,
):
    for user, address in (
        (kita_staff_a, "fachkraft@kita.example"),
        (kita_lead_a, "leitung@kita.example"),
        (kita_colleague_a, "kollegin@kita.example"),
    ):
        user.email = address
        user.save()
    school_lead = f.staff(school_a, "schule-leitung-a", StaffRole.LEAD)
    school_lead.email = "leitung@schule.example"
    school_lead.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _give_feedback(acknowledged, caseworker_a)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fachkraft@kita.example",
        "leitung@kita.example",
    ]
    sent = mail.outbox[0]
    assert acknowledged.receipt in sent.subject
    link = "https://ksqm.example" + reverse(
        "partners:record_detail", args=[acknowledged.record.code]
    )
    assert link in sent.body
    # A Kita without an agreement that records the legal basis: no basis line.
    assert "Rechtsgrundlage" not in sent.body
    # No child data and not the feedback's text in a mail.
    for secret in ("Lena Muster-A", "L.M. Gruppe Igel", "Kontakt zur Familie", "Musterweg"):
        assert secret not in sent.body and secret not in sent.subject


def test_feedback_mail_skips_who_left_the_institution(
    acknowledged, caseworker_a, kita_staff_a, kita_lead_a, django_capture_on_commit_callbacks
):
    kita_staff_a.email = "fachkraft@kita.example"
    kita_staff_a.save()
    kita_lead_a.email = "leitung@kita.example"
    kita_lead_a.is_active = False
    kita_lead_a.save()
    from partners.models import StaffBinding

    StaffBinding.objects.filter(user=kita_staff_a).delete()
    with django_capture_on_commit_callbacks(execute=True):
        _give_feedback(acknowledged, caseworker_a)
    assert mail.outbox == []


def test_refused_feedback_sends_no_mail(
    acknowledged, caseworker_a, kita_staff_a, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    kita_staff_a.email = "fachkraft@kita.example"
    kita_staff_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        _give_feedback(acknowledged, caseworker_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _give_feedback(acknowledged, caseworker_a)  # the feedback is given once
    assert mail.outbox == []


def test_feedback_mail_dates_in_the_readers_format(acknowledged):
    import datetime as dt

    from django.utils import timezone

    at = dt.datetime(2026, 3, 9, 14, 5, tzinfo=timezone.get_current_timezone())
    context = {
        "receipt": "M-2603-ABCDEF",
        "inst": "Kita Sonnenblume",
        "sent_at": at - dt.timedelta(days=3),
        "feedback_at": at,
        "basis": "§ 4 Abs. 4 KKG",
        "link": "https://ksqm.example/partner/vorgang/x/",
    }
    _subject, german = render_mail(
        template="partners/mail/feedback.txt", context=context, language="de"
    )
    subject, english = render_mail(
        template="partners/mail/feedback.txt", context=context, language="en"
    )
    assert "09.03.2026 14:05" in german and "06.03.2026" in german
    assert "Rechtsgrundlage der Rückmeldung: § 4 Abs. 4 KKG" in german
    assert "03/09/2026" in english and "03/06/2026" in english
    assert subject == "Feedback from the youth office on your report M-2603-ABCDEF"


def test_invitation_mail_names_the_expiry_date(
    kita_a, kita_lead_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _raw = services.staff_invite(
            institution=kita_a, email="neu@example.invalid", role=StaffRole.STAFF, actor=kita_lead_a
        )
    from django.utils import timezone

    until = timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y")
    assert f"bis zum {until}" in mail.outbox[0].body


def test_the_insofa_gets_a_mail_for_a_request(
    signed_a,
    kita_staff_a,
    insofa_a,
    insofa_user_a,
    other_insofa_a,
    django_capture_on_commit_callbacks,
):
    insofa_user_a.email = "insofa@beratung.example"
    insofa_user_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.consultation_request(
            record=signed_a,
            insofa=insofa_a,
            question="Reichen die Hämatome für gewichtige Anhaltspunkte?",
            actor=kita_staff_a,
            base_url="https://ksqm.example",
        )
    assert [m.to for m in mail.outbox] == [["insofa@beratung.example"]]
    body = mail.outbox[0].body
    assert "Kita Sonnenblume A" in mail.outbox[0].subject
    link = "https://ksqm.example" + reverse(
        "partners:consultation_detail", args=[consultation.code]
    )
    assert link in body
    for secret in ("Hämatome", "L.M. Gruppe Igel", "Lena"):
        assert secret not in body
    # A login without an address, an inactive login, no login: no mail.
    mail.outbox.clear()
    other_insofa_a.user.email = ""
    other_insofa_a.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_request(
            record=signed_a, insofa=other_insofa_a, question="Und?", actor=kita_staff_a
        )
    other_insofa_a.user.email = "andere@beratung.example"
    other_insofa_a.user.is_active = False
    other_insofa_a.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_request(
            record=signed_a, insofa=other_insofa_a, question="Und?", actor=kita_staff_a
        )
    without_login = f.insofa(signed_a.municipality, None, name="Frau Ohne Zugang")
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_request(
            record=signed_a, insofa=without_login, question="Und?", actor=kita_staff_a
        )
    assert mail.outbox == []
