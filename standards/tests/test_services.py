"""The document lifecycle, versions and reminders: state change and audit row each."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import AuditAction
from core.models import AuditEvent
from core.permissions import SYSTEM
from network.tests.factories import AgreementFactory
from standards import services
from standards.choices import DocumentKind, DocumentStatus, Visibility


def _document(muni, actor, **values):
    defaults = {
        "title": "Leitfaden Kinderschutz",
        "kind": DocumentKind.GUIDE,
        "owner": "Koordination",
        "text": "## Schritte\nErstens beobachten.",
    }
    return services.document_create(municipality=muni, actor=actor, **{**defaults, **values})


def test_create_makes_a_draft_with_version_one_and_audits_both(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    assert document.status == DocumentStatus.DRAFT
    assert list(document.versions.values_list("number", flat=True)) == [1]
    actions = set(AuditEvent.objects.filter(municipality=muni_a).values_list("action", flat=True))
    assert actions == {AuditAction.CREATE}
    assert AuditEvent.objects.filter(municipality=muni_a).count() == 2


def test_reader_and_other_commune_may_not_create(readonly_a, coordinator_b, muni_a):
    for actor in (readonly_a, coordinator_b):
        with pytest.raises(PermissionDenied):
            _document(muni_a, actor)


def test_lifecycle_draft_consultation_adopted_repealed(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    services.document_transition(
        document=document, status=DocumentStatus.CONSULTATION, actor=coordinator_a
    )
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 5, 4),
    )
    document.refresh_from_db()
    assert (document.status, document.decided_by) == (
        DocumentStatus.ADOPTED,
        "Jugendhilfeausschuss",
    )
    with pytest.raises(ValidationError) as exc:
        services.document_transition(
            document=document, status=DocumentStatus.REPEALED, actor=coordinator_a
        )
    assert "reason" in exc.value.message_dict
    services.document_transition(
        document=document, status=DocumentStatus.REPEALED, actor=coordinator_a, reason="ersetzt"
    )
    with pytest.raises(ValidationError):  # nothing follows "außer Kraft"
        services.document_transition(
            document=document, status=DocumentStatus.DRAFT, actor=coordinator_a
        )
    row = AuditEvent.objects.filter(action=AuditAction.UPDATE, reason="ersetzt").get()
    assert row.after == {"status": DocumentStatus.REPEALED}


def test_adopting_needs_who_and_when_and_a_version(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    with pytest.raises(ValidationError) as exc:
        services.document_transition(
            document=document, status=DocumentStatus.ADOPTED, actor=coordinator_a
        )
    assert "decided_by" in exc.value.message_dict
    empty = services.document_create(
        municipality=muni_a, actor=coordinator_a, title="Leer", kind=DocumentKind.CONCEPT, owner="x"
    )
    with pytest.raises(ValidationError, match="Ohne Text"):
        services.document_transition(
            document=empty,
            status=DocumentStatus.ADOPTED,
            actor=coordinator_a,
            decided_by="Amtsleitung",
            decided_on=dt.date(2026, 1, 1),
        )


def test_new_version_of_adopted_document_waits_for_its_own_adoption(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 1, 1),
    )
    version = services.version_add(
        document=document, actor=coordinator_a, text="## Schritte\nZweitens handeln.", note="neu"
    )
    document.refresh_from_db()
    assert version.number == 2
    assert (document.status, document.adopted_number) == (DocumentStatus.ADOPTED, 1)
    assert "handel" not in document.search_text  # the text in force is indexed
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 6, 1),
    )
    document.refresh_from_db()
    assert document.adopted_number == 2
    assert "handel" in document.search_text
    with pytest.raises(ValidationError, match="bereits beschlossen"):
        services.document_transition(
            document=document, status=DocumentStatus.ADOPTED, actor=coordinator_a
        )


def test_unchanged_or_empty_version_is_refused(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    with pytest.raises(ValidationError, match="unverändert"):
        services.version_add(
            document=document, actor=coordinator_a, text="## Schritte\nErstens beobachten."
        )
    with pytest.raises(ValidationError):
        services.version_add(document=document, actor=coordinator_a, text="  ")
    assert document.versions.count() == 1


def test_file_version_is_checked_by_content(coordinator_a, muni_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = _document(muni_a, coordinator_a)
    fake = SimpleUploadedFile("leitfaden.pdf", b"<html>kein pdf</html>", "application/pdf")
    with pytest.raises(ValidationError):
        services.version_add(document=document, actor=coordinator_a, upload=fake)
    pdf = SimpleUploadedFile("leitfaden.pdf", b"%PDF-1.4\n%synthetic\n", "application/pdf")
    version = services.version_add(document=document, actor=coordinator_a, upload=pdf)
    assert (version.number, version.file_name) == (2, "leitfaden.pdf")
    assert version.file.read().startswith(b"%PDF")


def test_links_must_belong_to_the_commune(coordinator_a, muni_a, muni_b):
    own, foreign = AgreementFactory(municipality=muni_a), AgreementFactory(municipality=muni_b)
    with pytest.raises(ValidationError) as exc:
        _document(muni_a, coordinator_a, agreements=[own, foreign])
    assert "agreements" in exc.value.message_dict
    document = _document(muni_a, coordinator_a, agreements=[own])
    assert list(document.agreements.all()) == [own]


def test_review_reminder_is_sent_once_per_review_date(coordinator_a, muni_a):
    coordinator_a.email = "koordination-a@example.invalid"
    coordinator_a.save()
    today = dt.date(2026, 12, 6)
    document = _document(muni_a, coordinator_a, next_review_on=today + dt.timedelta(days=10))
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2025, 1, 1),
    )
    later = _document(
        muni_a, coordinator_a, title="Später", next_review_on=today + dt.timedelta(days=200)
    )
    services.document_transition(
        document=later,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2025, 1, 1),
    )
    result = services.document_send_review_reminders(actor=SYSTEM, today=today)
    assert result == {"documents": 1, "mails": 1}
    again = services.document_send_review_reminders(actor=SYSTEM, today=today)
    assert again == {"documents": 0, "mails": 0}
    services.document_update(
        document=document, actor=coordinator_a, next_review_on=today + dt.timedelta(days=5)
    )
    assert services.document_send_review_reminders(actor=SYSTEM, today=today)["documents"] == 1


def test_review_reminder_mail_lists_the_document(
    coordinator_a, muni_a, django_capture_on_commit_callbacks
):
    coordinator_a.email = "koordination-a@example.invalid"
    coordinator_a.save()
    today = dt.date(2026, 12, 6)
    document = _document(muni_a, coordinator_a, next_review_on=today - dt.timedelta(days=3))
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2025, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send_review_reminders(actor=SYSTEM, today=today)
    assert len(mail.outbox) == 1
    assert "Leitfaden Kinderschutz" in mail.outbox[0].body
    assert "überfällig" in mail.outbox[0].body
    assert mail.outbox[0].to == ["koordination-a@example.invalid"]


def test_glossary_terms_are_unique_per_commune_by_key(coordinator_a, muni_a):
    services.glossary_term_create(
        municipality=muni_a, actor=coordinator_a, term="Kindeswohl", definition="A"
    )
    with pytest.raises(ValidationError):
        services.glossary_term_create(
            municipality=muni_a, actor=coordinator_a, term="kindeswohl", definition="B"
        )


def test_visibility_change_is_audited(coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    services.document_update(document=document, actor=coordinator_a, visibility=Visibility.PUBLIC)
    row = AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("time")
    assert row.after == {"visibility": Visibility.PUBLIC}
