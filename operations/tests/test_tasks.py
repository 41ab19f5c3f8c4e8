"""The task system: retries, give-up, a worker restart, heartbeat, uploads as tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from analytics import services as analytics_services
from analytics.choices import UploadStatus
from analytics.models import EventLogUpload
from analytics.tests.logs import EXAMPLE_XES
from operations import worker as worker_module
from operations.models import WorkerHeartbeat
from operations.tests import sample_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference(reference_data):
    """Reference rows (Länder …) snapshotted before this module's first flush."""


def run_worker(name: str = "1") -> None:
    call_command("worker", "--batch", "--name", name, "--interval", "0")


def test_failing_task_is_retried_until_it_succeeds(database_tasks):
    sample_tasks.flaky.enqueue(key="retry-ok", fail_times=2)
    run_worker()
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    # Two failed attempts, each enqueued the next; the third succeeded.
    assert [r.status for r in results] == [
        TaskResultStatus.FAILED,
        TaskResultStatus.FAILED,
        TaskResultStatus.SUCCESSFUL,
    ]
    assert [r.args_kwargs["kwargs"].get("_attempt", 1) for r in results] == [1, 2, 3]
    assert results[-1].return_value == 3
    assert "ConnectionError" in results[0].exception_class_path


def test_task_gives_up_after_its_attempts_and_calls_the_handler(database_tasks):
    sample_tasks.GIVEN_UP.clear()
    sample_tasks.flaky.enqueue(key="retry-never", fail_times=99)
    run_worker()
    statuses = list(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == [TaskResultStatus.FAILED] * 3
    assert cache.get("retry-never") == 3
    assert sample_tasks.GIVEN_UP == [{"key": "retry-never", "fail_times": 99}]


def test_retries_are_deferred_on_a_backend_that_can_wait(database_tasks, monkeypatch):
    from core import tasks

    monkeypatch.setattr(tasks, "_enqueue_retry", tasks._enqueue_retry)  # the real one
    task = sample_tasks.flaky.using()
    tasks._enqueue_retry(task, (), {"key": "later", "fail_times": 1}, 2, 60)
    retry = DBTaskResult.objects.get()
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=50)
    run_worker()  # not due yet: the worker leaves it waiting
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.READY


def test_task_of_a_restarted_worker_runs_again(database_tasks):
    result = sample_tasks.count_once.enqueue(key="restart")
    # The worker "host-1" claimed it and was killed (no clean shutdown, heartbeat fresh).
    own_id = worker_module.default_worker_id("1")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[own_id], started_at=timezone.now()
    )
    worker_module.heartbeat_beat(worker_id=own_id, started=True)
    run_worker("1")  # the same worker starting again
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == [own_id, own_id]
    assert cache.get("restart") == 1


def test_tasks_of_live_workers_stay_and_of_dead_workers_are_taken_over(database_tasks):
    live = sample_tasks.count_once.enqueue(key="live")
    dead = sample_tasks.count_once.enqueue(key="dead")
    worn = sample_tasks.count_once.enqueue(key="worn")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive-1", started_at=now, last_seen=now)
    WorkerHeartbeat.objects.create(
        worker_id="gone-1", started_at=now, last_seen=now - dt.timedelta(minutes=10)
    )
    DBTaskResult.objects.filter(pk=live.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["alive-1"]
    )
    DBTaskResult.objects.filter(pk=dead.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["gone-1"]
    )
    DBTaskResult.objects.filter(pk=worn.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["gone-1"] * worker_module.MAX_CLAIMS
    )
    assert worker_module.recover_interrupted_tasks() == {"requeued": 1, "failed": 1}
    assert DBTaskResult.objects.get(pk=live.id).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=dead.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=worn.id).status == TaskResultStatus.FAILED
    run_worker("2")
    assert cache.get("dead") == 1 and cache.get("live") is None and cache.get("worn") is None


def test_worker_heartbeat_is_written_and_cleared_on_stop(database_tasks):
    run_worker("7")
    beat = WorkerHeartbeat.objects.get(worker_id=worker_module.default_worker_id("7"))
    assert beat.stopped_at is not None and beat.backend == "database"
    assert worker_module.live_workers() == []
    worker_module.heartbeat_beat(worker_id=beat.worker_id, started=True)
    assert [w.worker_id for w in worker_module.live_workers()] == [beat.worker_id]


def test_worker_refuses_the_immediate_backend(settings):
    settings.TASK_BACKEND = "immediate"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no worker|only needed"):
        call_command("worker", "--batch")


def _upload(municipality, actor) -> EventLogUpload:
    return analytics_services.event_log_upload_create(
        municipality=municipality,
        name="per Worker",
        uploaded_file=SimpleUploadedFile("log.xes", EXAMPLE_XES.encode()),
        actor=actor,
    )


def test_upload_waits_for_the_worker_and_is_converted_by_it(
    database_tasks, muni_a, coordinator_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = _upload(muni_a, coordinator_a)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING  # nothing runs in the web process
    task = DBTaskResult.objects.get()
    assert task.task_path == "analytics.tasks.event_log_upload_convert"
    run_worker()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.events > 0


def test_upload_interrupted_mid_conversion_completes_after_the_worker_restarts(
    database_tasks, muni_a, coordinator_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = _upload(muni_a, coordinator_a)
    own_id = worker_module.default_worker_id("1")
    # Killed mid-conversion: record half done, a stray part on disk, task marked running.
    EventLogUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.RUNNING, progress=0.4, heartbeat_at=timezone.now()
    )
    folder = analytics_services.frame_dir(upload)
    folder.mkdir(parents=True)
    (folder / "part-00000.parquet").write_bytes(b"half written")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=[own_id])
    run_worker("1")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.progress == 1.0
    assert sorted(p.name for p in folder.iterdir()) == ["part-00000.parquet"]
    assert (folder / "part-00000.parquet").read_bytes() != b"half written"


def test_upload_whose_task_gives_up_is_failed_not_left_running(
    database_tasks, muni_a, coordinator_a, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path

    def broken(*, upload_id):
        raise ConnectionError("database went away")

    monkeypatch.setattr(analytics_services, "event_log_upload_process", broken)
    monkeypatch.setattr("analytics.tasks.event_log_upload_convert.func.__defaults__", None)
    upload = _upload(muni_a, coordinator_a)
    # Retries are deferred by 30 s / 60 s: run each attempt as it comes due.
    for _ in range(3):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_worker()
    upload.refresh_from_db()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3
    assert upload.status == UploadStatus.FAILED
    assert "wiederholt fehlgeschlagen" in upload.message
