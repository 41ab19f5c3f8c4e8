"""Contacts, working groups, agreements (documents, parties) and review reminders."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from core.choices import AuditAction
from core.models import AuditEvent
from core.permissions import SYSTEM
from network import services
from network.choices import AgreementKind
from network.models import Agreement, Contact
from network.tests.factories import AgreementFactory
from registry import services as registry_services
from registry.tests.factories import InstitutionFactory

PDF = b"%PDF-1.4\n%synthetic test document\n"


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_contact_create_writes_audit_and_defaults_to_private(coordinator_a, muni_a):
    inst = InstitutionFactory(municipality=muni_a)
    contact = services.contact_create(
        institution=inst,
        actor=coordinator_a,
        name="Demo Fachkraft",
        is_insofa=True,
        insofa_specialism="Säuglinge und Kleinkinder",
    )
    assert contact.municipality == muni_a
    assert contact.is_public is False
    event = AuditEvent.objects.get(target_id=str(contact.pk), action=AuditAction.CREATE)
    assert event.after["name"] == "Demo Fachkraft"
    assert event.municipality_id == muni_a.pk


def test_contact_in_other_commune_is_forbidden(coordinator_b, muni_a):
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(PermissionDenied):
        services.contact_create(institution=inst, actor=coordinator_b, name="Demo")
    assert not Contact.objects.exists()


def test_partner_cannot_add_contacts(partner_a, muni_a):
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(PermissionDenied):
        services.contact_create(institution=inst, actor=partner_a, name="Demo")


def test_specialism_without_insofa_flag_is_invalid(coordinator_a, muni_a):
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(ValidationError) as exc:
        services.contact_create(
            institution=inst, actor=coordinator_a, name="Demo", insofa_specialism="Sucht"
        )
    assert "insofa_specialism" in exc.value.message_dict


def test_contact_update_records_only_changes(coordinator_a, muni_a):
    inst = InstitutionFactory(municipality=muni_a)
    contact = services.contact_create(institution=inst, actor=coordinator_a, name="Demo")
    services.contact_update(
        contact=contact, actor=coordinator_a, is_public=True, reason="Zustimmung"
    )
    event = AuditEvent.objects.get(target_id=str(contact.pk), action=AuditAction.UPDATE)
    assert event.before == {"is_public": False}
    assert event.after == {"is_public": True}
    assert event.reason == "Zustimmung"


def test_working_group_rejects_foreign_institutions(coordinator_a, muni_a, muni_b):
    own = InstitutionFactory(municipality=muni_a)
    foreign = InstitutionFactory(municipality=muni_b)
    with pytest.raises(ValidationError):
        services.working_group_create(
            municipality=muni_a, name="AK Frühe Hilfen", members=[own, foreign], actor=coordinator_a
        )
    group = services.working_group_create(
        municipality=muni_a, name="AK Frühe Hilfen", members=[own], actor=coordinator_a
    )
    assert list(group.members.all()) == [own]


def test_agreement_with_pdf_and_partner_commune(coordinator_a, muni_a, muni_b, settings_media):
    inst = InstitutionFactory(municipality=muni_a)
    doc = SimpleUploadedFile("vereinbarung.pdf", PDF, content_type="application/pdf")
    agreement = services.agreement_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="Übergabe zwischen Jugendämtern",
        kind=AgreementKind.HANDOVER,
        institutions=[inst],
        partner_municipalities=[muni_b],
        document=doc,
        next_review_on=dt.date(2027, 1, 1),
    )
    assert agreement.document.name.endswith(".pdf")
    assert list(agreement.partner_municipalities.all()) == [muni_b]
    event = AuditEvent.objects.get(target_id=str(agreement.pk), action=AuditAction.CREATE)
    assert event.after["partner_municipalities"] == [muni_b.pk]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vertrag.exe", b"MZ\x90\x00", "Erlaubt sind"),
        ("vertrag.pdf", b"<html>not a pdf</html>", "passt nicht"),
        ("vertrag.pdf", b"", "leer"),
    ],
)
def test_agreement_document_type_checks(
    coordinator_a, muni_a, settings_media, name, content, message
):
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            municipality=muni_a,
            actor=coordinator_a,
            title="X",
            kind=AgreementKind.COOPERATION,
            institutions=[inst],
            document=SimpleUploadedFile(name, content),
        )
    assert message in " ".join(exc.value.message_dict["document"])
    assert not Agreement.objects.exists()


def test_agreement_document_size_limit(coordinator_a, muni_a, settings_media, monkeypatch):
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", 10)
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            municipality=muni_a,
            actor=coordinator_a,
            title="X",
            kind=AgreementKind.COOPERATION,
            institutions=[inst],
            document=SimpleUploadedFile("a.pdf", PDF),
        )
    assert "größer" in " ".join(exc.value.message_dict["document"])


def test_agreement_needs_a_party_and_valid_dates(coordinator_a, muni_a):
    with pytest.raises(ValidationError):
        services.agreement_create(
            municipality=muni_a, actor=coordinator_a, title="X", kind=AgreementKind.COOPERATION
        )
    inst = InstitutionFactory(municipality=muni_a)
    with pytest.raises(ValidationError):
        services.agreement_create(
            municipality=muni_a,
            actor=coordinator_a,
            title="X",
            kind=AgreementKind.COOPERATION,
            institutions=[inst],
            valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2024, 1, 1),
        )


@time_machine.travel(dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC))
def test_review_reminders_go_to_coordinators_once(
    coordinator_a, coordinator_b, caseworker_a, muni_a, muni_b, django_capture_on_commit_callbacks
):
    coordinator_a.email = "koordination-a@example.org"
    coordinator_a.save()
    coordinator_b.email = ""  # a coordinator without address gets nothing, and nothing breaks
    coordinator_b.save()
    due = AgreementFactory(municipality=muni_a, title="Fällig", next_review_on=dt.date(2026, 5, 20))
    overdue = AgreementFactory(
        municipality=muni_a, title="Überfällig", next_review_on=dt.date(2026, 4, 1)
    )
    AgreementFactory(municipality=muni_a, title="Später", next_review_on=dt.date(2026, 9, 1))
    AgreementFactory(
        municipality=muni_b, title="Ohne Empfänger", next_review_on=dt.date(2026, 5, 2)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_review_reminders")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["koordination-a@example.org"]
    assert "Fällig" in message.body and "Überfällig" in message.body
    assert "überfällig seit 01.04.2026" in message.body
    assert "Später" not in message.body
    due.refresh_from_db()
    assert due.review_reminder_sent_on == dt.date(2026, 5, 1)
    assert AuditEvent.objects.filter(target_id=str(overdue.pk), source="cli").exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_review_reminders")
    assert len(mail.outbox) == 1  # not repeated


@time_machine.travel(dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC))
def test_moving_the_review_date_rearms_the_reminder(coordinator_a, muni_a):
    agreement = AgreementFactory(municipality=muni_a, next_review_on=dt.date(2026, 5, 10))
    services.agreement_send_review_reminders(actor=SYSTEM)
    agreement.refresh_from_db()
    assert agreement.review_reminder_sent_on is not None
    services.agreement_update(
        agreement=agreement, actor=coordinator_a, next_review_on=dt.date(2027, 5, 10)
    )
    agreement.refresh_from_db()
    assert agreement.review_reminder_sent_on is None


def test_institution_department_under_its_office(coordinator_a, muni_a):
    office = registry_services.institution_create(
        municipality=muni_a, actor=coordinator_a, name="Jugendamt", institution_type="youth_office"
    )
    asd = registry_services.institution_create(
        municipality=muni_a,
        actor=coordinator_a,
        name="ASD",
        institution_type="youth_office",
        parent=office,
        district="Nord",
    )
    assert asd.parent == office
    with pytest.raises(ValidationError):
        registry_services.institution_update(institution=office, actor=coordinator_a, parent=asd)
    assert office.parent is None
    registry_services.institution_update(institution=asd, actor=coordinator_a, street="Musterweg 2")
    event = AuditEvent.objects.filter(target_id=str(asd.pk), action=AuditAction.UPDATE).get()
    assert event.after == {"street": "Musterweg 2"}


def test_institution_rules_across_communes(coordinator_a, coordinator_b, muni_a, muni_b):
    foreign = InstitutionFactory(municipality=muni_b)
    with pytest.raises(ValidationError):
        registry_services.institution_create(
            municipality=muni_a, actor=coordinator_a, name="X", parent=foreign
        )
    with pytest.raises(PermissionDenied):
        registry_services.institution_create(municipality=muni_a, actor=coordinator_b, name="X")
