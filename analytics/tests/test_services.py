"""Deadline rules and uploaded logs: permissions, validation, audit trail, processing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics import eventlog, services
from analytics.choices import UploadStatus
from analytics.models import ComplianceRule, EventLogUpload
from analytics.selectors import LogFilter
from analytics.tests.factories import processed_upload
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


def test_demo_installs_a_processed_log_idempotently(settings, tmp_path):
    import io

    from analytics import demo
    from registry.tests.factories import MunicipalityFactory

    bonn = MunicipalityFactory(slug="bundesstadt-bonn", name="Bundesstadt Bonn")
    out = io.StringIO()
    demo.load(seed=1, small=True, stdout=out)
    demo.load(seed=1, small=True, stdout=out)
    # Deadlines come from the case policy; the demo installs no second definition.
    assert not ComplianceRule.objects.filter(municipality=bonn).exists()
    upload = EventLogUpload.objects.get(name=demo.DEMO_LOG_NAME)
    assert upload.status == UploadStatus.DONE, upload.message
    assert upload.municipality == bonn and upload.cases == 200
    assert upload.events > 3 * 200  # every case has at least four steps
    assert "1 Protokoll" in out.getvalue() and "0 Protokoll" in out.getvalue()


def _csv_bytes(rows: int, *, bad_row: int | None = None) -> bytes:
    lines = ["case_id,activity,timestamp"]
    for i in range(rows):
        stamp = "kaputt" if bad_row is not None and i + 2 == bad_row else "2024-01-01 10:00"
        lines.append(f"F-{i // 3},Schritt {i % 3},{stamp}")
    return ("\n".join(lines) + "\n").encode()


def test_large_csv_is_converted_in_batches_with_progress(
    muni_a, coordinator_a, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(eventlog, "BATCH_ROWS", 1_000)
    seen: list[float] = []
    original = eventlog.iter_tabular

    def spying(*args, **kwargs):
        inner = kwargs.pop("progress")

        def progress(fraction: float) -> None:
            seen.append(fraction)
            inner(fraction)

        return original(*args, progress=progress, **kwargs)

    monkeypatch.setattr(eventlog, "iter_tabular", spying)
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="groß",
            uploaded_file=SimpleUploadedFile("gross.csv", _csv_bytes(4_500)),
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert (upload.events, upload.cases) == (4_500, 1_500)
    parts = sorted((settings.MEDIA_ROOT / upload.frame_file).glob("part-*.parquet"))
    # One file per batch (batches hold at least BATCH_ROWS rows), never the whole log.
    assert 1 < len(parts) <= 5
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == len(parts)
    assert upload.heartbeat_at is not None


def test_error_in_a_late_batch_names_the_row_and_leaves_no_parts(
    muni_a, coordinator_a, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(eventlog, "BATCH_ROWS", 1_000)
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="spät kaputt",
            uploaded_file=SimpleUploadedFile("spaet.csv", _csv_bytes(3_000, bad_row=2_502)),
            actor=coordinator_a,
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "Zeile 2502" in upload.message and "kaputt" in upload.message
    assert not (settings.MEDIA_ROOT / f"analytics/frames/{upload.code}").exists()
    assert upload.frame_file == ""


def test_interrupted_uploads_are_failed_after_silence(muni_a):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    ago = {"hours": dt.timedelta(hours=1), "seconds": dt.timedelta(seconds=30)}
    # name: (status, last heartbeat, created) – None = never reported / just created
    cases = {
        "hängt": (UploadStatus.RUNNING, ago["hours"], None),
        "läuft": (UploadStatus.RUNNING, ago["seconds"], None),
        "wartet": (UploadStatus.PENDING, None, dt.timedelta(hours=7)),
        "in der Warteschlange": (UploadStatus.PENDING, None, dt.timedelta(hours=2)),
        "fertig": (UploadStatus.DONE, dt.timedelta(days=3), None),
    }
    for name, (status, silent_for, created_ago) in cases.items():
        upload = EventLogUpload.objects.create(
            municipality=muni_a,
            name=name,
            log_format="csv",
            status=status,
            heartbeat_at=now - silent_for if silent_for else None,
        )
        if created_ago:
            EventLogUpload.objects.filter(pk=upload.pk).update(created_at=now - created_ago)
    assert services.event_log_uploads_fail_interrupted() == 2
    assert dict(EventLogUpload.objects.values_list("name", "status")) == {
        "hängt": UploadStatus.FAILED,
        "läuft": UploadStatus.RUNNING,
        "wartet": UploadStatus.FAILED,
        "in der Warteschlange": UploadStatus.PENDING,
        "fertig": UploadStatus.DONE,
    }
    assert "erneut hochladen" in EventLogUpload.objects.get(name="hängt").message


def test_delete_removes_record_and_files_with_audit(
    muni_a, coordinator_a, coordinator_b, readonly_a, django_capture_on_commit_callbacks, settings
):
    upload = processed_upload(muni_a, coordinator_a, name="weg damit")
    source, pk = upload.source_file.path, upload.pk
    frames = settings.MEDIA_ROOT / upload.frame_file
    assert frames.is_dir() and list(frames.glob("*.parquet"))
    for outsider in (coordinator_b, readonly_a):
        with pytest.raises(PermissionDenied):
            services.event_log_upload_delete(upload=upload, actor=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_log_upload_delete(upload=upload, actor=coordinator_a)
    assert not EventLogUpload.objects.filter(pk=pk).exists()
    import os

    assert not os.path.exists(source) and not frames.exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, target_id=str(pk))
    assert event.before["name"] == "weg damit"


def _xes(traces: list[tuple[str, list[dict[str, str]]]]) -> bytes:
    body = []
    for name, events in traces:
        body.append(f'<trace><string key="concept:name" value="{name}"/>')
        for event in events:
            attrs = "".join(
                f'<date key="{k}" value="{v}"/>'
                if k == "time:timestamp"
                else f'<string key="{k}" value="{v}"/>'
                for k, v in event.items()
            )
            body.append(f"<event>{attrs}</event>")
        body.append("</trace>")
    return ('<?xml version="1.0" encoding="UTF-8"?><log>' + "".join(body) + "</log>").encode()


def _event(activity: str, hour: int, **extra: str) -> dict[str, str]:
    return {
        "concept:name": activity,
        "time:timestamp": f"2024-03-01T{hour:02d}:00:00+00:00",
        **extra,
    }


def test_xes_is_converted_in_batches_even_when_attributes_appear_late(
    muni_a, coordinator_a, monkeypatch, settings
):
    monkeypatch.setattr(eventlog, "CHUNK_EVENTS", 2)
    log = _xes(
        [
            ("c1", [_event("A", 8), _event("B", 9)]),
            ("c2", [_event("A", 10), _event("C", 12)]),
            ("c3", [_event("A", 11), _event("B", 13, **{"org:resource": "Kita Sonnenschein"})]),
        ]
    )
    upload = processed_upload(muni_a, coordinator_a, content=log)
    assert upload.status == UploadStatus.DONE, upload.message
    assert (upload.cases, upload.events) == (3, 6)
    assert len(list((settings.MEDIA_ROOT / upload.frame_file).glob("part-*.parquet"))) == 3
    from analytics import selectors

    events = selectors.upload_events(
        user=coordinator_a, log_filter=LogFilter(upload_code=upload.code)
    )
    assert events["resource"].to_list() == [None] * 5 + ["Kita Sonnenschein"]
    result = selectors.process_map(
        user=coordinator_a, log_filter=LogFilter(upload_code=upload.code)
    )
    assert result.cases == 3 and result.start_activities == {"A": 3}


def test_bad_timestamp_in_a_late_xes_batch_names_the_trace_and_leaves_no_parts(
    muni_a, coordinator_a, monkeypatch, settings
):
    monkeypatch.setattr(eventlog, "CHUNK_EVENTS", 2)
    broken = _event("B", 9)
    broken["time:timestamp"] = "gestern"
    log = _xes([("c1", [_event("A", 8), _event("B", 9)]), ("c2", [_event("A", 8), broken])])
    upload = processed_upload(muni_a, coordinator_a, content=log)
    assert upload.status == UploadStatus.FAILED
    assert "c2" in upload.message and "gestern" in upload.message
    assert not (settings.MEDIA_ROOT / f"analytics/frames/{upload.code}").exists()


def test_running_upload_cannot_be_deleted_but_an_interrupted_one_takes_its_parts_along(
    muni_a, coordinator_a, settings
):
    running = EventLogUpload.objects.create(
        municipality=muni_a, name="läuft", log_format="csv", status=UploadStatus.RUNNING
    )
    with pytest.raises(ValidationError, match="noch verarbeitet"):
        services.event_log_upload_delete(upload=running, actor=coordinator_a)
    # Failed as interrupted mid-conversion: frame_file is empty, but parts were written.
    interrupted = EventLogUpload.objects.create(
        municipality=muni_a, name="abgebrochen", log_format="csv", status=UploadStatus.FAILED
    )
    folder = services.frame_dir(interrupted)
    folder.mkdir(parents=True)
    (folder / "part-00000.parquet").write_bytes(b"PAR1")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.event_log_upload_delete(upload=interrupted, actor=coordinator_a)
    assert not folder.exists()


def test_worker_that_finishes_after_being_failed_leaves_nothing(
    muni_a, coordinator_a, monkeypatch, settings
):
    upload = EventLogUpload.objects.create(
        municipality=muni_a,
        name="spät",
        log_format="xes",
        status=UploadStatus.PENDING,
        source_file=SimpleUploadedFile("x.xes", EXAMPLE_XES.encode()),
    )
    original = services._convert_to_parts

    def converted_while_marked_interrupted(upload, target, report):
        result = original(upload, target, report)
        EventLogUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.FAILED)
        return result

    monkeypatch.setattr(services, "_convert_to_parts", converted_while_marked_interrupted)
    processed = services.event_log_upload_process(upload_id=upload.pk)
    assert processed.status == UploadStatus.FAILED and processed.frame_file == ""
    assert not services.frame_dir(upload).exists()
    # A failed upload is never picked up again.
    monkeypatch.setattr(services, "_convert_to_parts", original)
    assert services.event_log_upload_process(upload_id=upload.pk).status == UploadStatus.FAILED


def test_xes_reports_progress_by_time_for_logs_of_few_long_traces(monkeypatch, tmp_path):
    clock = iter(range(0, 1000, 3))  # every call to monotonic() is 3 s later
    monkeypatch.setattr(eventlog.time, "monotonic", lambda: next(clock))
    path = tmp_path / "lang.xes"
    path.write_bytes(
        _xes([(f"c{i}", [_event("A", 8), _event("B", 9), _event("C", 10)]) for i in range(5)])
    )
    seen: list[float] = []
    list(eventlog.iter_xes(path, progress=seen.append))
    assert len(seen) >= 5 and seen[-1] == 1.0  # one report per trace, then done
