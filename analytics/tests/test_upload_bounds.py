"""Uploads are bounded: size, decompressed size and ratio (gzip bombs), short messages,
and a failed upload leaves no file behind (issue 14, finding 5)."""

import gzip
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics import eventlog, services
from analytics.choices import UploadStatus
from analytics.eventlog import EventLogError
from analytics.models import EventLogUpload


def _xes_bomb(name_length: int = 40_000_000) -> bytes:
    """A valid-looking XES whose one trace name unpacks to tens of megabytes."""
    head = b'<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="'
    tail = (
        b'"/><event><string key="concept:name" value="A"/>'
        b'<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event></trace></log>'
    )
    return gzip.compress(head + b"A" * name_length + tail, compresslevel=9)


def test_xes_gzip_bomb_is_refused_while_unpacking(tmp_path):
    path = tmp_path / "bomb.xes.gz"
    path.write_bytes(_xes_bomb())
    assert path.stat().st_size < 200_000
    with pytest.raises(EventLogError, match="Zip-Bombe") as caught:
        eventlog.read_log(path)
    assert len(str(caught.value)) <= eventlog.MAX_MESSAGE


def test_csv_gzip_bomb_is_refused_while_unpacking(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"case_id,activity,timestamp\n" + b"1" * 30_000_000))
    with pytest.raises(EventLogError, match="Zip-Bombe"):
        list(eventlog.iter_tabular(path, fmt="csv", work_dir=tmp_path))


def test_decompressed_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(eventlog, "MAX_DECOMPRESSED_BYTES", 1000)
    monkeypatch.setattr(eventlog, "MAX_RATIO", 10**9)
    path = tmp_path / "big.xes.gz"
    path.write_bytes(gzip.compress(b"<log>" + b" " * 5000 + b"</log>"))
    with pytest.raises(EventLogError, match="größer als"):
        eventlog.read_log(path)


def test_ordinary_gzip_logs_still_read(tmp_path):
    from analytics.tests.logs import random_log

    path = tmp_path / "ok.xes.gz"
    path.write_bytes(eventlog.xes_bytes(random_log(4000, seed=5), compress=True))
    assert eventlog.read_log(path).height > 4000


def test_bomb_upload_fails_short_and_removes_its_file(
    muni_a, coordinator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="bombe",
            uploaded_file=SimpleUploadedFile("bombe.xes.gz", _xes_bomb()),
            actor=coordinator_a,
        )
    stored = Path(upload.source_file.path)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert len(upload.message) <= eventlog.MAX_MESSAGE
    assert not upload.source_file
    assert not stored.exists()
    assert not services.frame_dir(upload).exists()


def test_malformed_upload_removes_its_file_too(
    muni_a, coordinator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="kaputt",
            uploaded_file=SimpleUploadedFile("k.csv", b"case_id,activity,timestamp\n1,A,nie\n"),
            actor=coordinator_a,
        )
    stored = Path(upload.source_file.path)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and "nie" in upload.message
    assert not stored.exists()


def test_upload_larger_than_the_limit_is_refused(muni_a, coordinator_a, settings):
    settings.KSQM_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="größer als"):
        services.event_log_upload_create(
            municipality=muni_a,
            name="gross",
            uploaded_file=SimpleUploadedFile("g.csv", b"x" * 200),
            actor=coordinator_a,
        )
    assert not EventLogUpload.objects.exists()


def test_request_beyond_the_limit_is_413_before_the_body_is_read(client, db, settings):
    settings.KSQM_MAX_UPLOAD_BYTES = 1000
    page = client.post("/analyse/", data=b"x" * 2000, content_type="application/octet-stream")
    assert page.status_code == 413
    api = client.post("/api/v1/incident-reports", data=b"x" * 2000, content_type="application/json")
    assert api.status_code == 413
    assert api["Content-Type"] == "application/problem+json"
    assert json.loads(api.content)["status"] == 413
