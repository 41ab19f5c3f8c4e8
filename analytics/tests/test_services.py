"""Deadline rules and uploaded logs: permissions, validation, audit trail, processing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics import eventlog, services
from analytics.models import ComplianceRule, EventLogUpload, UploadStatus
from analytics.selectors import LogFilter
from analytics.tests.logs import EXAMPLE_XES, random_log
from core.choices import AuditAction
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Erstkontakt 24 h",
    "start_activity": "report_received",
    "end_activity": "first_contact",
    "deadline_hours": 24,
    "urgency": "immediate",
}


def test_coordinator_creates_changes_and_deletes_a_rule_with_audit(muni_a, coordinator_a):
    rule = services.compliance_rule_create(municipality=muni_a, actor=coordinator_a, **RULE)
    created = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(rule.pk))
    assert created.after["deadline_hours"] == 24 and created.municipality_id == muni_a.pk
    services.compliance_rule_update(rule=rule, actor=coordinator_a, deadline_hours=48)
    updated = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(rule.pk))
    assert updated.before == {"deadline_hours": 24} and updated.after == {"deadline_hours": 48}
    rule_id = rule.pk
    services.compliance_rule_delete(rule=rule, actor=coordinator_a)
    assert not ComplianceRule.objects.exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE, target_id=str(rule_id))
    assert deleted.before["name"] == "Erstkontakt 24 h"


def test_other_commune_and_readers_may_not_create_rules(muni_a, coordinator_b, readonly_a):
    for actor in (coordinator_b, readonly_a):
        with pytest.raises(PermissionDenied):
            services.compliance_rule_create(municipality=muni_a, actor=actor, **RULE)
    assert not ComplianceRule.objects.exists()


def test_rule_validation(muni_a, coordinator_a):
    with pytest.raises(ValidationError, match="größer als null"):
        services.compliance_rule_create(
            municipality=muni_a, actor=coordinator_a, **{**RULE, "deadline_hours": 0}
        )
    services.compliance_rule_create(municipality=muni_a, actor=coordinator_a, **RULE)
    with pytest.raises(ValidationError, match="gibt es schon"):
        services.compliance_rule_create(municipality=muni_a, actor=coordinator_a, **RULE)
    rule = ComplianceRule.objects.get()
    with pytest.raises(ValidationError, match="Unbekannte Felder"):
        services.compliance_rule_update(rule=rule, actor=coordinator_a, municipality=None)


def test_default_rules_are_installed_once(muni_a, project_team):
    first = services.compliance_rules_install_defaults(municipality=muni_a, actor=project_team)
    again = services.compliance_rules_install_defaults(municipality=muni_a, actor=project_team)
    assert len(first) == 3 and again == []


def test_upload_is_processed_into_a_frame(
    muni_a, coordinator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="Beispiel",
            uploaded_file=SimpleUploadedFile("beispiel.xes", EXAMPLE_XES.encode()),
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.progress == 1.0
    assert (upload.cases, upload.events) == (6, 30)
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, target_id=str(upload.pk)).exists()


def test_malformed_upload_fails_with_the_parsers_message(
    muni_a, coordinator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="kaputt",
            uploaded_file=SimpleUploadedFile(
                "kaputt.csv", b"case_id,activity,timestamp\n1,A,nie\n"
            ),
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "Zeile 2" in upload.message and "nie" in upload.message


def test_csv_upload_with_column_mapping(muni_a, coordinator_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="CSV",
            uploaded_file=SimpleUploadedFile(
                "log.csv", b"Fall;Schritt;Zeit\n1;A;2024-01-01 10:00\n1;B;2024-01-01 12:00\n"
            ),
            column_mapping={"case_id": "Fall", "activity": "Schritt", "timestamp": "Zeit"},
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.events == 2


def test_upload_needs_rights_in_the_commune(muni_a, coordinator_b, partner_a):
    for actor in (coordinator_b, partner_a):
        with pytest.raises(PermissionDenied):
            services.event_log_upload_create(
                municipality=muni_a,
                name="x",
                uploaded_file=SimpleUploadedFile("x.csv", b"a"),
                actor=actor,
            )
    with pytest.raises(PermissionDenied):  # only global roles may upload without commune
        services.event_log_upload_create(
            municipality=None,
            name="x",
            uploaded_file=SimpleUploadedFile("x.csv", b"a"),
            actor=coordinator_b,
        )
    assert not EventLogUpload.objects.exists()


def test_unknown_file_type_is_refused(muni_a, coordinator_a):
    with pytest.raises(ValidationError, match="Unbekanntes Dateiformat"):
        services.event_log_upload_create(
            municipality=muni_a,
            name="x",
            uploaded_file=SimpleUploadedFile("x.docx", b"a"),
            actor=coordinator_a,
        )


def test_export_of_an_uploaded_log_is_audited(
    muni_a, coordinator_a, tmp_path, django_capture_on_commit_callbacks
):
    data = eventlog.csv_bytes(random_log(5, seed=3))
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="Export",
            uploaded_file=SimpleUploadedFile("x.csv", data),
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.events > 0
    for fmt in ("xes", "csv", "parquet"):
        body, content_type, filename = services.event_log_export(
            user=coordinator_a, log_filter=LogFilter(upload_code=str(upload.code)), fmt=fmt
        )
        path = tmp_path / filename
        path.write_bytes(body)
        assert eventlog.read_log(path).height == upload.events
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 3


def test_export_needs_export_right(caseworker_a, readonly_a):
    for user in (caseworker_a, readonly_a):
        with pytest.raises(PermissionDenied):
            services.event_log_export(user=user, log_filter=LogFilter(), fmt="csv")


def test_demo_installs_rules_idempotently():
    import io

    from analytics import demo
    from registry.tests.factories import MunicipalityFactory

    bonn = MunicipalityFactory(slug="bundesstadt-bonn", name="Bundesstadt Bonn")
    out = io.StringIO()
    demo.load(seed=1, small=True, stdout=out)
    demo.load(seed=1, small=True, stdout=out)
    assert ComplianceRule.objects.filter(municipality=bonn).count() == 3
    assert "3 Fristregeln" in out.getvalue() and "0 Fristregeln" in out.getvalue()
